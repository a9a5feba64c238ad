// The student's screen: ask for a pass in two taps, watch its clock, say "I'm back".
import { useEffect, useState } from "preact/hooks";
import { outbox, requestPass } from "../../api/actions";
import { call } from "../../api/client";
import { OPEN_STATES, type Place, type Placement } from "../../api/types";
import { tick } from "../../live/clock";
import { me, passes, synced } from "../../live/store";
import { messageOf } from "../../ui/Button";
import { stateWords, timeOfDay, timeOut } from "../../ui/format";
import { isOverdue, PassCard } from "../../ui/PassCard";
import PlacePicker from "./PlacePicker";

// Place counts and "passes are off" arrive over the socket (`school` frames): nothing here
// polls them. Only the room a pass would leave from, which follows the bells, is re-read on
// this beat while the tiles are on screen (a school's 1,500 phones in pockets don't ask).
const PLACEMENT_REFRESH_MS = 60_000;

/** Where a pass would leave from now: "From Room 102 · Art, Period 2" (null: no room). */
function fromWords(where: Placement | null): string | null {
  if (!where?.room) return null;
  const section = where.section ? ` · ${where.section.name}` : "";
  const period = where.period ? `, ${where.period}` : "";
  return `From ${where.room.name}${section}${period}`;
}

/** The student's whole screen. */
export default function StudentView() {
  const user = me.value!;
  const [error, setError] = useState<string | null>(null);
  // The room a pass leaves from follows the period (GET /api/placement), read with the tiles.
  const [where, setWhere] = useState<Placement | null>(null);

  const mine = passes.value;
  const current = mine.find((p) => OPEN_STATES.has(p.state));
  const choosing = !current;

  useEffect(() => {
    if (!choosing) return;
    const placed = () =>
      call<Placement>("GET", "/api/placement").then(setWhere, () => setWhere(null));
    const refresh = () => {
      if (!document.hidden) void placed();
    };
    void placed();
    const timer = window.setInterval(refresh, PLACEMENT_REFRESH_MS);
    document.addEventListener("visibilitychange", refresh);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener("visibilitychange", refresh);
    };
  }, [choosing]);

  const scheduled = mine.filter((p) => p.state === "scheduled");
  // Today's passes, the open one too: a student out on a pass has not "no passes yet today".
  const today = mine.filter((p) => p.state !== "scheduled");
  const queued = outbox.value.filter((a) => a.path === "/api/passes");

  async function ask(place: Place): Promise<boolean> {
    setError(null);
    try {
      await requestPass({ destination_id: place.id }, `Pass to ${place.name}`);
      return true;
    } catch (caught) {
      setError(messageOf(caught));
      return false;
    }
  }

  return (
    <div class="grid grid--main-side student">
      <section class="stack" aria-labelledby="now-title">
        <h1 id="now-title" class="visually-hidden">
          Your pass
        </h1>
        {!user.school.passes_enabled && (
          <p class="notice notice--warn" role="status">
            Passes are off right now.
          </p>
        )}
        {current ? (
          <PassCard
            pass={current}
            timeZone={user.school.timezone}
            liveMark={user.school.live_mark}
            onError={setError}
          />
        ) : queued.length > 0 ? (
          <div class="card pass-now" data-testid="queued-pass">
            <span class="badge badge--offline">Pending · offline</span>
            <h2>{queued[0].label}</h2>
            <p class="muted">Saved on this device. It will be sent when the connection is back.</p>
          </div>
        ) : (
          <section class="card" aria-labelledby="ask-title">
            <h2 id="ask-title">Where are you going?</h2>
            {fromWords(where) && (
              <p class="muted" data-testid="placement">
                {fromWords(where)}
              </p>
            )}
            {!synced.value && <p class="muted">Loading…</p>}
            <PlacePicker ask={ask} />
          </section>
        )}
        <p class="form-error" role="alert">
          {error}
        </p>
      </section>
      <aside class="stack" aria-labelledby="today-title">
        {scheduled.length > 0 && (
          <section class="card">
            <h2>Coming up</h2>
            <ul class="list">
              {scheduled.map((p) => (
                <li key={p.id} class="row">
                  {p.destination.name} at {timeOfDay(p.start_at, user.school.timezone)}
                </li>
              ))}
            </ul>
          </section>
        )}
        <section class="card">
          <h2 id="today-title">Today</h2>
          {today.length === 0 ? (
            <p class="muted">No passes yet today.</p>
          ) : (
            <ul class="list history">
              {today.map((p) => (
                <li key={p.id} class="row" data-pass-id={p.id}>
                  <span class="row__main">
                    {p.destination.name}{" "}
                    <span class={`badge badge--${isOverdue(p, tick.value) ? "overdue" : p.state}`}>
                      {isOverdue(p, tick.value) ? "Overdue" : stateWords(p)}
                    </span>
                  </span>
                  <span class="row__meta">
                    {timeOfDay(p.started_at ?? p.requested_at, user.school.timezone)}
                    {timeOut(p)}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </aside>
    </div>
  );
}
