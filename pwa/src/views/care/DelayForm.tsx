// "Not now, in 20 minutes": the counselor puts a visit off (POST /api/passes/{id}/delay).
import { useState } from "preact/hooks";
import { act } from "../../api/actions";
import type { Pass } from "../../api/types";
import { messageOf } from "../../ui/Button";

const CHOICES = [10, 15, 20, 30, 45, 60, 90, 120];

/** A Delay button that opens a small form: how many minutes, then confirm. */
export function DelayForm({ pass, onError }: { pass: Pass; onError: (message: string) => void }) {
  const [open, setOpen] = useState(false);
  const [minutes, setMinutes] = useState("20");
  const [busy, setBusy] = useState(false);
  const id = `delay-${pass.id}`;
  if (!open) {
    return (
      <button type="button" class="btn btn--plain" aria-expanded="false" onClick={() => setOpen(true)}>
        Delay
      </button>
    );
  }
  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    try {
      await act(pass, "delay", `Delay ${pass.student.name}'s visit`, { minutes: Number(minutes) });
      setOpen(false);
    } catch (error) {
      onError(messageOf(error));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="delay" onSubmit={(event) => void submit(event)}>
      <label for={id}>Delay {pass.student.name}'s visit by</label>
      <select id={id} value={minutes} onChange={(e) => setMinutes(e.currentTarget.value)}>
        {CHOICES.map((m) => (
          <option key={m} value={m}>
            {m} minutes
          </option>
        ))}
      </select>
      <div class="btn-row">
        <button type="submit" class="btn btn--primary" disabled={busy} aria-busy={busy}>
          Delay visit
        </button>
        <button type="button" class="btn btn--plain" onClick={() => setOpen(false)}>
          Keep it
        </button>
      </div>
    </form>
  );
}
