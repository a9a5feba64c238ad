// Today's bells, read-only: the day type, each period, and where the present falls.
import { useEffect, useState } from "preact/hooks";
import { call } from "../../api/client";
import type { Today } from "../../api/types";
import { messageOf } from "../../ui/Button";
import { FormMessage } from "./Field";

const STATUS: Record<Today["status"], string> = {
  no_school: "No school today.",
  before_school: "Before school.",
  in_period: "In class.",
  passing: "Passing time.",
  after_school: "After school.",
};

/** Today's schedule (GET /api/schedule/today), as every screen's bells read it. */
export function TodayCard() {
  const [today, setToday] = useState<Today | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void call<Today>("GET", "/api/schedule/today").then(setToday, (e) => setError(messageOf(e)));
  }, []);

  return (
    <section class="card stack" aria-labelledby="today-title">
      <h2 id="today-title">Today{today ? `, ${today.date}` : ""}</h2>
      {today === null ? (
        error ? <FormMessage text={error} /> : <p class="muted">Loading…</p>
      ) : (
        <>
          <p>
            {today.day_type ? (
              <>
                <strong>{today.day_type}</strong> schedule.{" "}
              </>
            ) : null}
            {STATUS[today.status]}
            {today.current ? ` Now: ${today.current}.` : ""}
            {today.next ? ` Next: ${today.next}.` : ""}
          </p>
          {today.periods.length > 0 && (
            <ol class="bells" aria-label="Today's periods">
              {today.periods.map((p) => (
                <li key={p.name} class={p.current ? "bells__now" : undefined} aria-current={p.current ? "time" : undefined}>
                  <span>{p.name}</span>
                  <span class="muted">
                    {p.start}–{p.end}
                  </span>
                  {p.current && <span class="badge">Now</span>}
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </section>
  );
}
