"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { ACCOUNT_SECTIONS, currentSection } from "./account-sections";

/**
 * The account area's section nav: a row that scrolls sideways on narrow screens, a column from `md` up.
 * Only sections with a page are links; the current one carries aria-current="page".
 */
export function AccountNav() {
  const current = currentSection(usePathname() ?? "");
  const sections = ACCOUNT_SECTIONS.filter((s): s is { label: string; href: string } => s.href !== null);
  return (
    <nav aria-label="Account settings" className="md:w-56 md:shrink-0">
      <ul className="-mx-4 flex gap-1 overflow-x-auto px-4 pb-2 md:mx-0 md:flex-col md:overflow-visible md:px-0 md:pb-0">
        {sections.map(({ label, href }) => {
          const active = href === current;
          return (
            <li key={href} className="shrink-0">
              <Link
                href={href}
                aria-current={active ? "page" : undefined}
                className={`block rounded-lg px-3 py-2 text-sm font-medium whitespace-nowrap outline-none focus-visible:ring-2 focus-visible:ring-zinc-900 focus-visible:ring-offset-2 ${
                  active ? "bg-zinc-900 text-white" : "text-zinc-700 hover:bg-zinc-200"
                }`}
              >
                {label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
