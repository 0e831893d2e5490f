"use client";

import { useEffect, useId, useRef, type FormEvent, type ReactNode } from "react";
import { Button } from "../ui/button";

export type ConfirmDialogProps = {
  open: boolean;
  title: string;
  /** What will happen, in a sentence or two: the dialog's accessible description. */
  description: ReactNode;
  confirmLabel: string;
  /** Shown while the action runs. */
  busyLabel?: string;
  busy?: boolean;
  /** Keeps the confirm button disabled (a required field is still empty, a typed confirmation differs). */
  confirmDisabled?: boolean;
  /** Why the last attempt failed, shown in the dialog and announced. */
  error?: string | null;
  onConfirm: () => void;
  /** Called when the dialog closes without confirming: Cancel, Escape. */
  onCancel: () => void;
  /** Form fields between the description and the buttons (a reason, a typed confirmation). */
  children?: ReactNode;
  testId?: string;
};

/**
 * A confirmation for a destructive action, on the native modal `<dialog>`: the browser makes the rest of
 * the page inert, keeps focus inside, closes on Escape and gives focus back to the control that opened it.
 * Focus starts on the first field, or on Cancel when there is none, so that Enter never confirms by
 * accident. The confirm button submits the dialog's form, so Enter in a field confirms once it is allowed.
 */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const { open, title, description, confirmLabel, busyLabel, busy = false, confirmDisabled = false, error, onConfirm, onCancel, children, testId } = props;
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  const errorId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      const field = dialog.querySelector<HTMLElement>("input, select, textarea");
      (field ?? dialog.querySelector<HTMLElement>("[data-dialog-cancel]"))?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!busy && !confirmDisabled) onConfirm();
  };

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={descriptionId}
      data-testid={testId}
      // Escape: the browser fires `cancel`; it closes the dialog unless the action is under way.
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onCancel();
      }}
      className="m-auto w-[calc(100%-2rem)] max-w-lg rounded-2xl border border-zinc-200 bg-white p-0 text-zinc-900 shadow-xl backdrop:bg-zinc-900/50"
    >
      <form onSubmit={submit} className="flex flex-col gap-4 p-5 sm:p-6" noValidate>
        <h2 id={titleId} className="text-lg font-semibold">
          {title}
        </h2>
        <div id={descriptionId} className="text-sm text-zinc-700">
          {description}
        </div>
        {children}
        {error ? (
          <p id={errorId} role="alert" className="rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="dialog-error">
            {error}
          </p>
        ) : null}
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button data-dialog-cancel type="button" variant="secondary" className="sm:w-auto" disabled={busy} onClick={onCancel}>
            Cancel
          </Button>
          <Button
            type="submit"
            variant="danger"
            className="aria-disabled:cursor-not-allowed aria-disabled:opacity-50 sm:w-auto"
            aria-disabled={busy || confirmDisabled}
            aria-describedby={error ? errorId : undefined}
          >
            {busy ? (busyLabel ?? `${confirmLabel}…`) : confirmLabel}
          </Button>
        </div>
      </form>
    </dialog>
  );
}
