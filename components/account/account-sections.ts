/**
 * The sections of the account area, in the order of the nav. `href` is null while a section has no page:
 * the nav lists only sections that can be opened.
 */
export type AccountSection = { label: string; href: string | null };

export const ACCOUNT_SECTIONS: readonly AccountSection[] = [
  { label: "Profile", href: "/account" },
  { label: "Linked identities", href: "/account/identities" },
  { label: "Devices and sessions", href: "/account/devices" },
  { label: "Two-factor authentication", href: "/account/two-factor" },
  { label: "Security activity", href: "/account/activity" },
  { label: "Export my data", href: "/account/export" },
  { label: "Delete account", href: "/account/delete" },
];

/** The section a path belongs to: the longest section href that is the path or a parent of it. */
export function currentSection(pathname: string, sections: readonly AccountSection[] = ACCOUNT_SECTIONS): string | null {
  let best: string | null = null;
  for (const { href } of sections) {
    if (href === null) continue;
    const matches = pathname === href || pathname.startsWith(`${href}/`);
    if (matches && (best === null || href.length > best.length)) best = href;
  }
  return best;
}
