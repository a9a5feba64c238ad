// Ending the emergency (admins): the all-clear, confirmed first.
import { useState } from "preact/hooks";
import { call } from "../../api/client";
import type { EmergencyStaffView } from "../../api/types";
import { ActionButton } from "../../ui/Button";

/** The all-clear button, with a confirmation that says what it does. */
export function EndEmergency({ view }: { view: EmergencyStaffView }) {
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!asking) {
    return (
      <button type="button" class="btn btn--danger" onClick={() => setAsking(true)}>
        End emergency…
      </button>
    );
  }
  return (
    <div class="confirm-box stack" role="group" aria-label="End the emergency">
      <p>
        All clear? Passes of the {view.counts.total} students on the roster end, and passes start again. The record
        is kept.
      </p>
      <div class="btn-row">
        <ActionButton kind="danger" run={() => call("DELETE", "/api/emergency")} onError={setError}>
          Yes, all clear
        </ActionButton>
        <button type="button" class="btn" onClick={() => setAsking(false)}>
          Not yet
        </button>
      </div>
      <p class="form-error" role="alert">
        {error}
      </p>
    </div>
  );
}
