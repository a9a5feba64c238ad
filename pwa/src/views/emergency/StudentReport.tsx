// A student who was out when the emergency began tells staff where they are and how they are.
import { useState } from "preact/hooks";
import { call } from "../../api/client";
import type { EmergencyStudentView } from "../../api/types";
import { me, places } from "../../live/store";
import { ActionButton } from "../../ui/Button";
import { timeOfDay } from "../../ui/format";
import { STATUS_WORDS, STUDENT_STEPS } from "./words";

/** The student's part: what to do, and (if they were out) the report form. */
export function StudentReport({ view }: { view: EmergencyStudentView }) {
  const [placeId, setPlaceId] = useState("");
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const you = view.you;
  const send = (status: "safe" | "need_help") =>
    call("POST", "/api/emergency/report", {
      body: { status, note, ...(placeId ? { location_id: Number(placeId) } : {}) },
    }).then(() => setError(null));
  const last = you?.reports.at(-1);
  return (
    <section class="card stack" aria-labelledby="you-title">
      <h2 id="you-title">What to do</h2>
      <p class="emergency__steps">{STUDENT_STEPS[view.kind]}</p>
      {you === null ? (
        <p>Stay with your class and follow your teacher.</p>
      ) : (
        <form class="stack" onSubmit={(event) => event.preventDefault()}>
          <p>
            You were out of class (on the way to or at {you.destination.name}). Tell staff where you are now.
          </p>
          {last && (
            <p class="notice" role="status">
              Sent: {STATUS_WORDS[you.status]}
              {last.location ? `, in ${last.location.name}` : ""} at {timeOfDay(last.at, me.value?.school.timezone)}.
            </p>
          )}
          <label for="report-place">Where are you?</label>
          <select id="report-place" value={placeId} onChange={(e) => setPlaceId(e.currentTarget.value)}>
            <option value="">Choose a room</option>
            {places.value.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
          <label for="report-note">Anything staff should know (optional)</label>
          <input id="report-note" maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          <div class="btn-row emergency__report">
            <ActionButton kind="primary" run={() => send("safe")} onError={setError}>
              I'm safe
            </ActionButton>
            <ActionButton kind="danger" run={() => send("need_help")} onError={setError}>
              I need help
            </ActionButton>
          </div>
          <p class="form-error" role="alert">
            {error}
          </p>
        </form>
      )}
    </section>
  );
}
