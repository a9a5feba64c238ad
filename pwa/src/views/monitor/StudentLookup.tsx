// Find any student of the school, not only those out: where the timetable has them now and
// their passes of today (GET /api/students/{id}/today), for the monitor who meets one in a hall.
import { useEffect, useState } from "preact/hooks";
import { call } from "../../api/client";
import type { Pass, StudentDay, StudentHit } from "../../api/types";
import { messageOf } from "../../ui/Button";
import { stateWords, timeOfDay } from "../../ui/format";
import { useStudentSearch } from "../admin/studentSearch";

/** The lookup card: a search box, the students found, and the day of the one chosen. */
export function StudentLookup({ onPass, timeZone }: { onPass: (pass: Pass) => void; timeZone?: string }) {
  const [query, setQuery] = useState("");
  const [chosen, setChosen] = useState<StudentHit | null>(null);
  const { hits, status } = useStudentSearch(chosen ? "" : query);
  return (
    <section class="card lookup" aria-labelledby="lookup-title">
      <h2 id="lookup-title">Look up a student</h2>
      <label for="lookup-search">Any student, by name or number</label>
      <input
        id="lookup-search"
        type="search"
        autocomplete="off"
        value={query}
        onInput={(e) => {
          setChosen(null);
          setQuery(e.currentTarget.value);
        }}
      />
      <p class="muted" role="status" aria-live="polite">
        {chosen ? "" : status}
      </p>
      {!chosen && hits.length > 0 && (
        <ul class="list lookup__hits">
          {hits.map((hit) => (
            <li key={hit.id}>
              <button type="button" class="btn btn--plain" data-student-id={hit.id} onClick={() => setChosen(hit)}>
                {hit.name}
                {hit.student_number ? ` · ${hit.student_number}` : ""}
                {hit.has_open_pass ? " · out now" : ""}
              </button>
            </li>
          ))}
        </ul>
      )}
      {chosen && <DayOf student={chosen} onPass={onPass} timeZone={timeZone} />}
    </section>
  );
}

/** Say where the timetable has a student now: "Room 102 · Period 2 · Biology". */
function expectedWords(day: StudentDay): string {
  const { room, period, section } = day.expected;
  if (!room) return "No room in the timetable now";
  return [room.name, period, section ? section.name : "homeroom"].filter(Boolean).join(" · ");
}

/** A pass of today in a few words: "Restroom North · Out 9:05 AM–9:12 AM · Ended". */
function passWords(pass: Pass, timeZone?: string): string {
  const start = pass.started_at ? timeOfDay(pass.started_at, timeZone) : null;
  const end = pass.ended_at ? timeOfDay(pass.ended_at, timeZone) : null;
  const when = start ? ` · out ${start}${end ? `–${end}` : ""}` : ` · asked ${timeOfDay(pass.requested_at, timeZone)}`;
  return `${pass.destination.name}${when} · ${stateWords(pass)}`;
}

/** One student's day, loaded when chosen. */
function DayOf({ student, onPass, timeZone }: { student: StudentHit; onPass: (pass: Pass) => void; timeZone?: string }) {
  const [day, setDay] = useState<StudentDay | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    setDay(null);
    setError(null);
    call<StudentDay>("GET", `/api/students/${student.id}/today`, { signal: abort.signal }).then(setDay, (e) => {
      if (!(e instanceof DOMException)) setError(messageOf(e));
    });
    return () => abort.abort();
  }, [student.id]);
  return (
    <div class="lookup__day" data-lookup-student={student.id}>
      <h3>{student.name}</h3>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {!day && !error && (
        <p class="muted" aria-busy="true">
          Loading…
        </p>
      )}
      {day && (
        <>
          <p data-expected>Should be in: {expectedWords(day)}</p>
          {day.passes.length === 0 ? (
            <p class="muted">No passes today.</p>
          ) : (
            <ul class="list" aria-label={`${student.name}'s passes today`}>
              {day.passes.map((pass) => (
                <li key={pass.id} data-pass-id={pass.id}>
                  {pass.state === "active" ? (
                    <button type="button" class="btn btn--plain" onClick={() => onPass(pass)}>
                      {passWords(pass, timeZone)}
                    </button>
                  ) : (
                    passWords(pass, timeZone)
                  )}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}
