import type { ReactNode } from "react";

export function Card({ children, className = "" }: { children: ReactNode; className?: string }) {
  return (
    <div className={`w-full max-w-md rounded-2xl border border-zinc-200 bg-white p-8 shadow-sm ${className}`}>
      {children}
    </div>
  );
}

export function PageShell({ children }: { children: ReactNode }) {
  return <main className="flex min-h-screen items-center justify-center px-4 py-12">{children}</main>;
}
