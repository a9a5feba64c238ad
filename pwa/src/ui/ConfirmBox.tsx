// "Are you sure?" in place: the question, what will happen, a yes that runs once, and a no.
import type { ComponentChildren } from "preact";
import { ActionButton } from "./Button";

/** A confirmation for a serious action (delete, switch off, end), shown where it was asked. */
export function ConfirmBox({
  label,
  children,
  yes,
  no,
  run,
  onCancel,
  onError,
}: {
  label: string;
  children: ComponentChildren;
  yes: string;
  no: string;
  run: () => Promise<unknown>;
  onCancel: () => void;
  onError?: (message: string) => void;
}) {
  return (
    <div class="confirm-box stack" role="group" aria-label={label}>
      <p>{children}</p>
      <div class="btn-row">
        <ActionButton kind="danger" run={run} onError={onError}>
          {yes}
        </ActionButton>
        <button type="button" class="btn" onClick={onCancel}>
          {no}
        </button>
      </div>
    </div>
  );
}
