/** A round avatar: the picture at `url`, or the initials on a grey disc. Decorative: the name is always next to it. */
export function Avatar({ url, initials, size = "lg" }: { url: string | null; initials: string; size?: "sm" | "lg" }) {
  const box = size === "lg" ? "h-16 w-16 text-xl" : "h-10 w-10 text-sm";
  if (url) {
    return (
      // eslint-disable-next-line @next/next/no-img-element -- provider avatars come from arbitrary hosts
      <img src={url} alt="" referrerPolicy="no-referrer" className={`${box} shrink-0 rounded-full border border-zinc-200 bg-zinc-100 object-cover`} />
    );
  }
  return (
    <span aria-hidden="true" className={`${box} flex shrink-0 items-center justify-center rounded-full bg-zinc-200 font-semibold text-zinc-700`}>
      {initials}
    </span>
  );
}
