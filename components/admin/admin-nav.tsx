"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

/**
 * The admin area's nav: Users, and the Audit log for those who may read it. The current section carries
 * aria-current="page" (a user's own page counts as Users). Which links show is cosmetic: each page and route
 * checks its permission on the server, and Postgres again.
 */
export function AdminNav({ canReadAudit }: { canReadAudit: boolean }) {
  const pathname = usePathname() ?? "";
  const links = [
    { href: "/admin/users", label: "Users", active: pathname === "/admin" || pathname.startsWith("/admin/users") },
    ...(canReadAudit ? [{ href: "/admin/audit", label: "Audit log", active: pathname.startsWith("/admin/audit") }] : []),
  ];
  return (
    <nav aria-label="Admin">
      <ul className="flex gap-1 overflow-x-auto">
        {links.map(({ href, label, active }) => (
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
        ))}
      </ul>
    </nav>
  );
}
