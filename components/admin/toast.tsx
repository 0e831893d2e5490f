"use client";

import { usePathname } from "next/navigation";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";

export type ToastKind = "success" | "error";
type Toast = { id: number; kind: ToastKind; text: string };
type ToastApi = {
  /** Shows a message in the live region: polite for a success, assertive for an error. */
  show(kind: ToastKind, text: string): void;
  /**
   * Shows it on the page navigated to next (kept in sessionStorage until a provider shows it: one in a layout
   * that stays mounted, when the path changes; one mounted by the next page, when it mounts).
   */
  flash(kind: ToastKind, text: string): void;
};

const ToastContext = createContext<ToastApi | null>(null);

const FLASH_KEY = "admin.toast";
const SUCCESS_MS = 8_000;
const ERROR_MS = 15_000;

function readFlash(): Toast | null {
  try {
    const raw = window.sessionStorage.getItem(FLASH_KEY);
    if (!raw) return null;
    window.sessionStorage.removeItem(FLASH_KEY);
    const value = JSON.parse(raw) as { kind?: unknown; text?: unknown };
    if ((value.kind !== "success" && value.kind !== "error") || typeof value.text !== "string") return null;
    return { id: 0, kind: value.kind, text: value.text.slice(0, 300) };
  } catch {
    return null;
  }
}

/**
 * The toasts of the admin area: one result message per action, in two live regions that are always in the
 * page (a region added together with its text is not announced): `role="status"` for successes,
 * `role="alert"` for failures. Each toast can be dismissed; successes go after 8 s, failures after 15 s.
 * Nested providers share the outermost one, so a layout and a page may both mount it.
 */
export function ToastProvider({ children }: { children: ReactNode }) {
  const parent = useContext(ToastContext);
  return parent ? <>{children}</> : <ToastRoot>{children}</ToastRoot>;
}

function ToastRoot({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  const dismiss = useCallback((id: number) => {
    const timer = timers.current.get(id);
    if (timer) clearTimeout(timer);
    timers.current.delete(id);
    setToasts((list) => list.filter((t) => t.id !== id));
  }, []);

  const show = useCallback(
    (kind: ToastKind, text: string) => {
      const id = nextId.current++;
      // The newest three at most: a burst of results must not cover the page.
      setToasts((list) => [...list.slice(-2), { id, kind, text }]);
      timers.current.set(
        id,
        setTimeout(() => dismiss(id), kind === "error" ? ERROR_MS : SUCCESS_MS),
      );
    },
    [dismiss],
  );

  const flash = useCallback(
    (kind: ToastKind, text: string) => {
      try {
        window.sessionStorage.setItem(FLASH_KEY, JSON.stringify({ kind, text }));
      } catch {
        show(kind, text);
      }
    },
    [show],
  );

  const pathname = usePathname();
  useEffect(() => {
    const pending = readFlash();
    if (pending) show(pending.kind, pending.text);
  }, [pathname, show]);

  useEffect(() => {
    const all = timers.current;
    return () => all.forEach((timer) => clearTimeout(timer));
  }, []);

  const api = useMemo(() => ({ show, flash }), [show, flash]);
  const item = (t: Toast) => (
    <div
      key={t.id}
      data-testid="toast"
      data-kind={t.kind}
      className={`pointer-events-auto flex items-start gap-3 rounded-lg border px-4 py-3 text-sm shadow-lg ${
        t.kind === "error" ? "border-red-200 bg-red-50 text-red-900" : "border-emerald-200 bg-emerald-50 text-emerald-900"
      }`}
    >
      <p className="min-w-0 flex-1 break-words" data-testid="toast-text">
        {t.text}
      </p>
      <button
        type="button"
        onClick={() => dismiss(t.id)}
        className="shrink-0 rounded font-medium underline focus:outline-none focus-visible:ring-2 focus-visible:ring-zinc-900"
      >
        Dismiss<span className="sr-only"> message</span>
      </button>
    </div>
  );

  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="pointer-events-none fixed inset-x-0 bottom-0 z-50 flex flex-col items-stretch gap-2 p-4 sm:left-auto sm:w-96">
        <div role="status" aria-live="polite" data-testid="toast-status" className="flex flex-col gap-2">
          {toasts.filter((t) => t.kind === "success").map(item)}
        </div>
        <div role="alert" aria-live="assertive" data-testid="toast-alert" className="flex flex-col gap-2">
          {toasts.filter((t) => t.kind === "error").map(item)}
        </div>
      </div>
    </ToastContext.Provider>
  );
}

/** The admin area's toasts; outside a ToastProvider, a no-op (nothing to announce into). */
export function useToast(): ToastApi {
  return useContext(ToastContext) ?? NOOP;
}

const NOOP: ToastApi = { show: () => undefined, flash: () => undefined };
