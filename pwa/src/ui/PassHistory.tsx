// A pass's history for staff, on demand: a "History" disclosure that reads
// GET /api/passes/{id}/history when opened (and again when the pass moves on while it is open),
// one line per event with its time and who caused it ("Approved by J. Rivera (substitute for
// M. Reyes)").
import { useEffect, useState } from "preact/hooks";
import { call } from "../api/client";
import type { Pass, PassEvent } from "../api/types";
import { messageOf } from "./Button";
import { timeOfDay } from "./format";

/** The "History" disclosure of one pass. */
export function PassHistory({ pass, timeZone }: { pass: Pass; timeZone?: string }) {
  const [open, setOpen] = useState(false);
  const [events, setEvents] = useState<PassEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // What changes when the pass gets a new event: read again then, only while it is open.
  const moment = `${pass.state}|${pass.started_at ?? ""}|${pass.arrived_at ?? ""}|${pass.ended_at ?? ""}`;

  useEffect(() => {
    if (!open) return;
    let current = true;
    call<PassEvent[]>("GET", `/api/passes/${pass.id}/history`).then(
      (found) => {
        if (!current) return;
        setEvents(found);
        setError(null);
      },
      (caught: unknown) => current && setError(messageOf(caught)),
    );
    return () => {
      current = false;
    };
  }, [open, pass.id, moment]);

  return (
    <details class="history" onToggle={(event) => setOpen(event.currentTarget.open)}>
      {/* Named for its pass (a board lists many "History"), in an attribute, not in hidden text:
          the student's name stays once in the row's text. */}
      <summary aria-label={`History of ${pass.student.name}'s pass`}>History</summary>
      {error ? (
        <p class="form-error" role="alert">
          {error}
        </p>
      ) : events === null ? (
        <p class="muted">Loading…</p>
      ) : (
        <ol class="history__list" aria-label={`History of ${pass.student.name}'s pass`}>
          {events.map((entry) => (
            <li key={entry.seq}>
              <time class="history__time" dateTime={entry.at}>
                {timeOfDay(entry.at, timeZone)}
              </time>{" "}
              {entry.summary}
            </li>
          ))}
        </ol>
      )}
    </details>
  );
}
