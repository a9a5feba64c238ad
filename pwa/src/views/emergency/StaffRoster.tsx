// The roster as staff see it: accounted for N of M, who is still missing, every report, and
// marking a student present in a room. It stays on screen when the network drops.
import { useState } from "preact/hooks";
import { call } from "../../api/client";
import type { EmergencyStaffView, RosterEntryOut } from "../../api/types";
import { connection, me, places } from "../../live/store";
import { ActionButton } from "../../ui/Button";
import { timeOfDay } from "../../ui/format";
import { EndEmergency } from "./EndEmergency";
import { STATUS_WORDS } from "./words";

/** The staff's emergency screen. */
export function StaffRoster({ view }: { view: EmergencyStaffView }) {
  const user = me.value!;
  const { counts } = view;
  const [error, setError] = useState<string | null>(null);
  const offline = connection.value !== "live";
  return (
    <div class="grid grid--main-side emergency__staff">
      <section class="card stack" aria-labelledby="roster-title">
        <div class="emergency__count" role="status" aria-live="polite" data-testid="accounted">
          Accounted for <strong>{counts.accounted}</strong> of <strong>{counts.total}</strong>
          {counts.need_help > 0 && <span class="badge badge--over"> {counts.need_help} need help</span>}
        </div>
        {offline && (
          <p class="notice notice--warn">Not live: this is the roster as last received. Reports made now can't be sent.</p>
        )}
        <h2 id="roster-title">Students out of class when it began ({counts.total})</h2>
        {view.roster.length === 0 ? (
          <p class="muted">Every student was in class.</p>
        ) : (
          <ul class="list">
            {view.roster.map((entry) => (
              <RosterRow key={entry.student.id} entry={entry} onError={setError} disabled={offline} />
            ))}
          </ul>
        )}
        <p class="form-error" role="alert">
          {error}
        </p>
      </section>
      <aside class="stack">
        <section class="card" aria-labelledby="missing-title">
          <h2 id="missing-title">Still missing ({view.missing.length})</h2>
          {view.missing.length === 0 ? (
            <p class="notice notice--good">Everyone on the roster is accounted for.</p>
          ) : (
            <ul class="emergency__missing">
              {view.missing.map((s) => (
                <li key={s.id}>{s.name}</li>
              ))}
            </ul>
          )}
        </section>
        <section class="card stack emergency__tools" aria-label="Roster tools">
          {/* Printing this screen works offline; the server's page is the record's own print. */}
          <button type="button" class="btn" onClick={() => window.print()}>
            Print this roster
          </button>
          <a class="btn" href={`/api/emergencies/${view.id}/roster.html`} target="_blank" rel="noopener">
            Printable page
          </a>
          <a class="btn" href={`/api/emergencies/${view.id}/roster.csv`} download>
            Download CSV
          </a>
          {user.role === "admin" && <EndEmergency view={view} />}
        </section>
      </aside>
    </div>
  );
}

function RosterRow({
  entry,
  onError,
  disabled,
}: {
  entry: RosterEntryOut;
  onError: (message: string) => void;
  disabled: boolean;
}) {
  const user = me.value!;
  // The teacher's own rooms first: that is where a teacher marks a student present.
  const rooms = [...places.value].sort(
    (a, b) => Number(user.location_ids.includes(b.id)) - Number(user.location_ids.includes(a.id)),
  );
  const [roomId, setRoomId] = useState(String(rooms[0]?.id ?? ""));
  const last = entry.reports.at(-1);
  return (
    <li class={`row emergency__entry emergency__entry--${entry.status}`} data-student-id={entry.student.id}>
      <div class="row__main">
        <div class="row__title">
          {entry.student.name} <span class={`badge badge--${entry.accounted ? "active" : "over"}`}>{STATUS_WORDS[entry.status]}</span>
        </div>
        <div class="row__meta">
          From {entry.origin.name}, out since {timeOfDay(entry.started_at, user.school.timezone)}; last known: {entry.last_known}
        </div>
        {last && (
          <div class="row__meta">
            {STATUS_WORDS[last.status]}
            {last.location ? ` in ${last.location.name}` : ""}
            {last.note ? ` ("${last.note}")` : ""} · {last.by ? `${last.by.name} (${last.by.role})` : "someone"} at{" "}
            {timeOfDay(last.at, user.school.timezone)}
          </div>
        )}
      </div>
      {!entry.accounted || entry.status === "need_help" ? (
        <div class="btn-row emergency__mark">
          <label class="visually-hidden" for={`mark-${entry.student.id}`}>
            Room {entry.student.name} is in
          </label>
          <select id={`mark-${entry.student.id}`} value={roomId} onChange={(e) => setRoomId(e.currentTarget.value)}>
            {rooms.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
          <ActionButton
            kind="primary"
            disabled={disabled || !roomId}
            label={`Mark ${entry.student.name} present`}
            run={() =>
              call("POST", `/api/emergency/roster/${entry.student.id}/present`, { body: { location_id: Number(roomId) } })
            }
            onError={onError}
          >
            Mark present
          </ActionButton>
        </div>
      ) : null}
    </li>
  );
}
