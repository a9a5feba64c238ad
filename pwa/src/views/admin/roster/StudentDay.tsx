// A student's day: find the student, pick a date (today by default), see each period's class.
import { useEffect, useState } from "preact/hooks";
import { call } from "../../../api/client";
import type { StudentHit } from "../../../api/types";
import { messageOf } from "../../../ui/Button";
import { FormMessage, TextField } from "../Field";
import { useStudentSearch } from "../studentSearch";
import type { DaySchedule } from "./types";

/** The student's-day card: a search, a date, and the day as a table. */
export function StudentDay() {
  const [query, setQuery] = useState("");
  const [student, setStudent] = useState<StudentHit | null>(null);
  const [date, setDate] = useState("");
  const [day, setDay] = useState<DaySchedule | null>(null);
  const [error, setError] = useState<string | null>(null);

  const { hits, status } = useStudentSearch(query);

  useEffect(() => {
    if (!student) return;
    setError(null);
    const when = /^\d{4}-\d{2}-\d{2}$/.test(date) ? `?date=${date}` : "";
    call<DaySchedule>("GET", `/api/students/${student.id}/schedule${when}`).then(
      (d) => {
        setDay(d);
        setDate((old) => old || d.date);
      },
      (e) => setError(messageOf(e)),
    );
  }, [student, date]);

  const homeroom = day?.homeroom?.name;
  return (
    <section class="card stack" aria-labelledby="day-title">
      <h2 id="day-title">A student's day</h2>
      <div class="roster-filters">
        <div class="field">
          <label for="day-student">Find a student</label>
          <input
            id="day-student"
            type="search"
            autocomplete="off"
            placeholder="Name or student number"
            value={query}
            aria-describedby="day-student-status"
            onInput={(e) => setQuery(e.currentTarget.value)}
          />
          <p id="day-student-status" class="muted picker__status" aria-live="polite">
            {status}
          </p>
        </div>
        <TextField id="day-date" label="Date" type="date" value={date} onInput={setDate} hint="Today unless you pick another day." />
      </div>
      {hits.length > 0 && (
        <ul class="picker__hits" aria-label="Matching students">
          {hits.map((s) => (
            <li key={s.id}>
              <button
                type="button"
                class="picker__hit"
                onClick={() => {
                  setStudent(s);
                  setQuery("");
                }}
              >
                <span>{s.name}</span>
                <span class="muted">
                  {s.student_number ?? s.login}
                  {s.home_location ? ` · ${s.home_location.name}` : ""}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <FormMessage text={error} />
      {!student ? (
        <p class="muted">Find a student to see where they are each period.</p>
      ) : day === null || day.student.id !== student.id ? (
        !error && <p class="muted">Loading…</p>
      ) : day.slots.length === 0 ? (
        <p role="status">
          {day.student.name}: no school on {day.date}.
        </p>
      ) : (
        <div class="table-wrap" role="region" aria-labelledby="day-caption" tabIndex={0}>
          <table class="table table--cards student-day">
            <caption id="day-caption">
              {day.student.name}, {day.date}
              {day.day_type ? ` (${day.day_type} day)` : ""}
              {homeroom ? `. Homeroom: ${homeroom}` : ""}
            </caption>
            <thead>
              <tr>
                <th scope="col">Period</th>
                <th scope="col">Time</th>
                <th scope="col">Class</th>
                <th scope="col">Room</th>
                <th scope="col">Teachers</th>
              </tr>
            </thead>
            <tbody>
              {day.slots.map((slot) => (
                <tr key={slot.period} class={slot.section ? undefined : "slot--free"}>
                  <th scope="row">{slot.period}</th>
                  <td class="nowrap" data-label="Time">
                    {slot.start}–{slot.end}
                  </td>
                  <td data-label="Class">{slot.section?.name ?? <span class="muted">No class: homeroom</span>}</td>
                  <td data-label="Room">{slot.room?.name ?? <span class="muted">{homeroom ?? "—"}</span>}</td>
                  <td data-label="Teachers">{slot.teachers.map((t) => t.name).join(", ") || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
