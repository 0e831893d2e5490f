/** Shown while the Security activity page renders on the server. */
export default function ActivityLoading() {
  return (
    <div className="rounded-2xl border border-zinc-200 bg-white p-5 shadow-sm sm:p-8">
      <h1 className="text-2xl font-semibold tracking-tight">Security activity</h1>
      <p role="status" className="mt-2 text-sm text-zinc-600">
        Loading your security activity…
      </p>
    </div>
  );
}
