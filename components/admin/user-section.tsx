import { useId, type ReactNode } from "react";

/** One section of the user page: a titled region, its heading the target of "skip to" and of focus after a change. */
export function UserSection({ title, description, children, testId, actions }: { title: string; description?: ReactNode; children: ReactNode; testId: string; actions?: ReactNode }) {
  const id = useId();
  return (
    <section aria-labelledby={id} data-testid={testId} className="rounded-2xl border border-zinc-200 bg-white p-5 shadow-sm sm:p-6">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h2 id={id} tabIndex={-1} className="text-lg font-semibold outline-none">
            {title}
          </h2>
          {description ? <p className="mt-1 text-sm text-zinc-600">{description}</p> : null}
        </div>
        {actions ? <div className="flex flex-wrap gap-2">{actions}</div> : null}
      </div>
      <div className="mt-4">{children}</div>
    </section>
  );
}

/** A definition list of label/value rows, two columns from small screens up. */
export function Facts({ rows }: { rows: { label: string; value: ReactNode; testId?: string }[] }) {
  return (
    <dl className="grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
      {rows.map((r) => (
        <div key={r.label} className="contents">
          <dt className="text-zinc-600">{r.label}</dt>
          <dd className="mb-2 break-words sm:mb-0" data-testid={r.testId}>
            {r.value}
          </dd>
        </div>
      ))}
    </dl>
  );
}
