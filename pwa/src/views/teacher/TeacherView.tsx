// The teacher's room board: requests to approve, passes out with their clocks, issue a pass.
import { useState } from "preact/hooks";
import { act } from "../../api/actions";
import type { Pass, StudentHit } from "../../api/types";
import { tick } from "../../live/clock";
import { me, passes, places, synced } from "../../live/store";
import { passIdIn, path } from "../../router";
import { ActionButton } from "../../ui/Button";
import { PassRow } from "../../ui/PassRow";
import { ClassList } from "./ClassList";
import { openNow } from "./classPeriod";
import { EndAll } from "./EndAll";
import { IssuePass } from "./IssuePass";
import { finishedToday, RoomHistory } from "./RoomHistory";
import { SchedulePass } from "./SchedulePass";
import { SubstituteBanner, SubstitutePanel } from "./SubstitutePanel";
import "./teacher.css";

/** The room board for a teacher or substitute. */
export default function TeacherView() {
  const user = me.value!;
  const [error, setError] = useState<string | null>(null);
  // The class of the period the teacher picked (now by default): listed, and offered to issue to.
  const [students, setStudents] = useState<StudentHit[]>([]);
  const rooms = new Set(user.location_ids);
  const focus = passIdIn(path.value);
  const all = passes.value;
  // A teacher sees passes from their rooms and to places they run (server/services/visibility.py).
  const pending = all.filter((p) => p.state === "pending");
  const out = all.filter((p) => p.state === "active");
  const waiting = all.filter((p) => p.state === "waiting");
  const scheduled = all.filter((p) => p.state === "scheduled");
  const myRooms = places.value.filter((p) => rooms.has(p.id));
  const roomNames = myRooms.map((p) => p.name);
  const zone = user.school.timezone;
  // Re-read each minute (tick), so the card moves to a new day's passes by itself.
  const history = finishedToday(all, rooms, zone, tick.value);

  const row = (pass: Pass, actions: preact.ComponentChildren = null) => (
    <PassRow key={pass.id} pass={pass} focused={focus === pass.id}>
      {actions}
    </PassRow>
  );

  return (
    <div class="grid grid--main-side teacher">
      <div class="stack">
        <h1>{roomNames.length ? roomNames.join(", ") : "Your room"}</h1>
        {user.role === "substitute" && <SubstituteBanner />}
        <p class="form-error" role="alert">
          {error}
        </p>
        <section class="card" aria-labelledby="requests-title">
          <h2 id="requests-title">Requests ({pending.length})</h2>
          {pending.length === 0 ? (
            <p class="muted">{synced.value ? "No requests." : "Loading…"}</p>
          ) : (
            <ul class="list" aria-live="polite">
              {pending.map((p) =>
                row(
                  p,
                  <>
                    <ActionButton kind="primary" run={() => act(p, "approve", `Approve ${p.student.name}`)} onError={setError}>
                      Approve
                    </ActionButton>
                    <ActionButton kind="danger" run={() => act(p, "deny", `Deny ${p.student.name}`)} onError={setError}>
                      Deny
                    </ActionButton>
                  </>,
                ),
              )}
            </ul>
          )}
        </section>
        <section class="card" aria-labelledby="out-title">
          <h2 id="out-title">Out of class ({out.length})</h2>
          <div class="end-all stack">
            {myRooms.map((room) => (
              <EndAll key={room.id} roomId={room.id} roomName={room.name} out={out.filter((p) => p.origin.id === room.id)} onError={setError} />
            ))}
          </div>
          {out.length === 0 ? (
            <p class="muted">{synced.value ? "Everyone is in." : "Loading…"}</p>
          ) : (
            <ul class="list">
              {out.map((p) =>
                row(
                  p,
                  <ActionButton run={() => act(p, "end", `End ${p.student.name}'s pass`)} onError={setError}>
                    End
                  </ActionButton>,
                ),
              )}
            </ul>
          )}
        </section>
        {(waiting.length > 0 || scheduled.length > 0) && (
          <section class="card" aria-labelledby="line-title">
            <h2 id="line-title">In line and scheduled</h2>
            <ul class="list">
              {[...waiting, ...scheduled].map((p) =>
                row(
                  p,
                  <>
                    {p.state === "scheduled" && <span class="muted">{p.minutes} min</span>}
                    <ActionButton kind="danger" run={() => act(p, "cancel", `Cancel ${p.student.name}'s pass`)} onError={setError}>
                      Cancel
                    </ActionButton>
                  </>,
                ),
              )}
            </ul>
          </section>
        )}
        <RoomHistory passes={history} timeZone={zone} />
      </div>
      <aside class="stack">
        <IssuePass students={students} hasPass={openNow(all)} />
        <SchedulePass students={students} />
        <ClassList rooms={roomNames} passes={all} onStudents={setStudents} />
        {user.role === "teacher" && <SubstitutePanel />}
      </aside>
    </div>
  );
}
