// Ending the emergency (admins): the all-clear, confirmed first.
import { useState } from "preact/hooks";
import { call } from "../../api/client";
import type { EmergencyStaffView } from "../../api/types";
import { ConfirmBox } from "../../ui/ConfirmBox";

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
    <>
      <ConfirmBox
        label="End the emergency"
        yes="Yes, all clear"
        no="Not yet"
        run={() => call("DELETE", "/api/emergency")}
        onCancel={() => setAsking(false)}
        onError={setError}
      >
        All clear? Passes of the {view.counts.total} students on the roster end, and passes start again. The record
        is kept.
      </ConfirmBox>
      <p class="form-error" role="alert">
        {error}
      </p>
    </>
  );
}
