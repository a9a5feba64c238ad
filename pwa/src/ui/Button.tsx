// A button that runs an async action once at a time and says what went wrong in place.
import { useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import { ApiError } from "../api/client";

export interface ActionButtonProps {
  run: () => Promise<unknown>;
  children: ComponentChildren;
  kind?: "primary" | "danger" | "plain";
  label?: string;
  disabled?: boolean;
  onError?: (message: string) => void;
}

/** A button for one action: disabled while it runs, its error reported by onError. */
export function ActionButton({ run, children, kind = "plain", label, disabled, onError }: ActionButtonProps) {
  const [busy, setBusy] = useState(false);
  async function press() {
    setBusy(true);
    try {
      await run();
    } catch (error) {
      onError?.(messageOf(error));
    } finally {
      setBusy(false);
    }
  }
  return (
    <button
      type="button"
      class={`btn btn--${kind}`}
      aria-label={label}
      aria-busy={busy}
      disabled={disabled || busy}
      onClick={() => void press()}
    >
      {children}
    </button>
  );
}

/** The words to show for a failed call. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return "Something went wrong. Try again.";
}
