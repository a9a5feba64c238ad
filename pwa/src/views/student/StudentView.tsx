// The student's screen: ask for a pass in two taps, watch its clock, say "I'm back".
import { useEffect, useState } from "preact/hooks";
import { outbox, requestPass } from "../../api/actions";
import { call } from "../../api/client";
import { OPEN_STATES, type Place, type Placement } from "../../api/types";
import { tick } from "../../live/clock";
import { loadPlaces, me, passes, places, refreshMe, synced } from "../../live/store";
import { ActionButton, messageOf } from "../../ui/Button";
import { stateWords, timeOfDay, timeOut } from "../../ui/format";
import { isOverdue, PassCard } from "../../ui/PassCard";

// Counts on the destination tiles come from GET /api/locations, and "passes are off" from
// GET /api/me; a student's socket carries only their own passes, so both are re-read on this
// beat, but only while the tiles are on screen: a school's 1,500 phones in pockets, or out on a
// pass, must not poll the server.
const PLACES_REFRESH_MS = 15_000;

/** Where a pass would leave from now: "From Room 102 · Art, Period 2" (null: no room). */
function fromWords(where: Placement | null): string | null {
  if (!where?.room) return null;
  const section = where.section ? ` · ${where.section.name}` : "";
  const period = where.period ? `, ${where.period}` : "";
  return `From ${where.room.name}${section}${period}`;
}

function placeNote(place: Place): string {
  if (place.capacity !== null && place.out >= place.capacity) {
    return place.waiting > 0 ? `Full · ${place.waiting} in line` : "Full · you'd be next in line";
  }
  if (place.approval === "origin_teacher") return "Teacher approves";
  if (place.approval === "destination_staff") return "Staff accepts";
  if (place.capacity !== null) return `${place.capacity - place.out} of ${place.capacity} free`;
  return "Free";
}

/** The student's whole screen. */
export default function StudentView() {
  const user = me.value!;
  const [choice, setChoice] = useState<Place | null>(null);
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
      if (document.hidden) return;
      void loadPlaces().catch(() => undefined);
      void refreshMe().catch(() => undefined);
      void placed();
    };
    void placed();
    const timer = window.setInterval(refresh, PLACES_REFRESH_MS);
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
  const destinations = places.value.filter((p) => p.is_destination && p.active);

  async function ask(place: Place) {
    setError(null);
    try {
      await requestPass({ destination_id: place.id }, `Pass to ${place.name}`);
      setChoice(null);
      void loadPlaces().catch(() => undefined);
    } catch (caught) {
      setError(messageOf(caught));
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
            <ul class="tiles" role="list">
              {destinations.map((place) => (
                <li key={place.id}>
                  <button
                    type="button"
                    class={`tile${choice?.id === place.id ? " tile--chosen" : ""}`}
                    aria-pressed={choice?.id === place.id}
                    onClick={() => setChoice(choice?.id === place.id ? null : place)}
                  >
                    <span class="tile__name">{place.name}</span>
                    <span class="tile__note">{placeNote(place)}</span>
                  </button>
                </li>
              ))}
            </ul>
            {choice && (
              <div class="confirm">
                <ActionButton kind="primary" run={() => ask(choice)}>
                  Ask for {choice.name} · {choice.default_minutes} min
                </ActionButton>
              </div>
            )}
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
