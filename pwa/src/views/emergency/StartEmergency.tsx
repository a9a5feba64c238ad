// Starting an emergency (admins and security), from the header of every screen.
import { useState } from "preact/hooks";
import { call } from "../../api/client";
import type { EmergencyKind } from "../../api/types";
import { ActionButton } from "../../ui/Button";
import { KIND_WORDS } from "./words";

const KINDS: EmergencyKind[] = ["lockdown", "evacuation", "shelter", "drill"];

/** The Emergency button and its confirmation: which kind, then start. */
export function StartEmergency() {
  const [open, setOpen] = useState(false);
  const [kind, setKind] = useState<EmergencyKind>("lockdown");
  const [error, setError] = useState<string | null>(null);
  return (
    <div class="start-emergency">
      <button type="button" class="btn btn--danger" aria-expanded={open} onClick={() => setOpen(!open)}>
        Emergency
      </button>
      {open && (
        <div class="start-emergency__panel card stack" role="group" aria-label="Start an emergency">
          <fieldset>
            <legend>What kind?</legend>
            {KINDS.map((k) => (
              <label key={k} class="check">
                <input type="radio" name="emergency-kind" value={k} checked={kind === k} onChange={() => setKind(k)} />
                {KIND_WORDS[k]}
              </label>
            ))}
          </fieldset>
          <p>Every pass not yet out is cancelled, new passes stop, and every staff device is alerted.</p>
          <div class="btn-row">
            <ActionButton
              kind="danger"
              run={() => call("POST", "/api/emergency", { body: { kind } }).then(() => setOpen(false))}
              onError={setError}
            >
              Start {KIND_WORDS[kind].toLowerCase()}
            </ActionButton>
            <button type="button" class="btn" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
          <p class="form-error" role="alert">
            {error}
          </p>
        </div>
      )}
    </div>
  );
}
