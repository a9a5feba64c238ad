// Today's passes from the teacher's rooms that are over: who, where, when, and for how long.
import type { Pass } from "../../api/types";
import { timeOfDay } from "../../ui/format";

const FINISHED = new Set<Pass["state"]>(["ended", "expired"]);

/** The calendar day of a moment in the school's zone ("2026-12-06"), to keep today's passes. */
export function dayOf(iso: string, timeZone: string | undefined): string {
  return new Date(iso).toLocaleDateString("en-CA", { timeZone });
}

/** Say whole minutes out: "4 min" ("under 1 min" for a trip shorter than a minute). */
export function minutesOut(pass: Pass): string {
  if (!pass.started_at || !pass.ended_at) return "";
  const minutes = Math.round((Date.parse(pass.ended_at) - Date.parse(pass.started_at)) / 60_000);
  return minutes < 1 ? "under 1 min" : `${minutes} min`;
}

/** The passes that left the rooms and are over today, the latest first. */
export function finishedToday(passes: readonly Pass[], rooms: ReadonlySet<number>, timeZone: string | undefined, now: number): Pass[] {
  const today = dayOf(new Date(now).toISOString(), timeZone);
  return passes
    .filter((p) => FINISHED.has(p.state) && rooms.has(p.origin.id) && p.started_at && p.ended_at && dayOf(p.ended_at, timeZone) === today)
    .sort((a, b) => (b.ended_at ?? "").localeCompare(a.ended_at ?? ""));
}

/** The "Today's passes" card of the teacher's screen. */
export function RoomHistory({ passes, timeZone }: { passes: readonly Pass[]; timeZone: string | undefined }) {
  return (
    <section class="card" aria-labelledby="history-title">
      <h2 id="history-title">Today's passes ({passes.length})</h2>
      {passes.length === 0 ? (
        <p class="muted">No passes have ended today.</p>
      ) : (
        <ul class="list room-history">
          {passes.map((p) => (
            <li key={p.id} class="row" data-pass-id={p.id} data-state={p.state}>
              <span class="row__main">
                <span class="row__title">{p.student.name}</span>
                <span class="row__meta">
                  {" "}
                  {p.destination.name} · {timeOfDay(p.started_at, timeZone)}–{timeOfDay(p.ended_at, timeZone)} · {minutesOut(p)}
                  {p.state === "expired" ? " · expired" : ""}
                </span>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
