// The teacher's class: a period picker ("Now (Period 3 · Room 102)" by default) and its students.
import { useEffect, useState } from "preact/hooks";
import { call } from "../../api/client";
import type { Pass, StudentHit, Today } from "../../api/types";
import type { components } from "../../contract/openapi";
import { messageOf } from "../../ui/Button";
import { NOW, type ClassList as List, classListOf, classOptions, openNow, placeWords, sectionIn } from "./classPeriod";

type SectionList = components["schemas"]["SectionList"];

/** The class card; hands the chosen period's students to the issue form through onStudents. */
export function ClassList({
  rooms,
  passes,
  onStudents,
}: {
  rooms: readonly string[];
  /** The live passes: a pass just issued (or ended) shows at once, not at the next reload. */
  passes: readonly Pass[];
  onStudents: (students: StudentHit[]) => void;
}) {
  const [today, setToday] = useState<Today | null>(null);
  const [sections, setSections] = useState<SectionList["sections"]>([]);
  const [period, setPeriod] = useState(NOW);
  const [list, setList] = useState<List | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    // Both only label the picker: without them it still offers "Now".
    void call<Today>("GET", "/api/schedule/today").then(setToday, () => undefined);
    void call<SectionList>("GET", "/api/sections?limit=500").then(
      (s) => setSections(s.sections),
      () => undefined,
    );
  }, []);

  useEffect(() => {
    const params = new URLSearchParams({ limit: "200" });
    if (period !== NOW) params.set("period", period);
    setError(null);
    call<StudentHit[]>("GET", `/api/students?${params.toString()}`).then(
      (body) => {
        const read = classListOf(body);
        setList(read);
        onStudents(read.students);
      },
      (e) => setError(messageOf(e)),
    );
  }, [period, onStudents]);

  const options = classOptions(today, sections, rooms);
  // What the list is for: the server's words when it says them, else the picker's.
  const chosenPeriod = period === NOW ? (today?.current ?? null) : period;
  const section = chosenPeriod ? sectionIn(sections, today, chosenPeriod) : undefined;
  const forWords = placeWords(list?.period ?? chosenPeriod, list?.room ?? section?.room?.name ?? (rooms.join(", ") || null));
  const students = list?.students ?? [];
  const hasPass = openNow(passes);
  return (
    <section class="card stack class-list" aria-labelledby="class-title">
      <h2 id="class-title">
        Class{forWords ? `: ${forWords}` : ""}
        {list ? ` (${students.length})` : ""}
      </h2>
      <div class="field">
        <label for="class-period">Period</label>
        <select id="class-period" value={period} onChange={(e) => setPeriod(e.currentTarget.value)}>
          {options.map(([value, words]) => (
            <option key={value} value={value}>
              {words}
            </option>
          ))}
        </select>
      </div>
      <p class="form-error" role="alert">
        {error}
      </p>
      {list === null ? (
        !error && <p class="muted">Loading…</p>
      ) : students.length === 0 ? (
        <p class="muted" role="status">
          No students {section ? `in ${section.title}` : "for this period"}.
        </p>
      ) : (
        <ul class="class-list__students" aria-label={`Students${forWords ? `, ${forWords}` : ""}`}>
          {students.map((s) => (
            <li key={s.id}>
              <span>{s.name}</span>
              <span class="muted">{s.student_number ?? s.login}</span>
              {(hasPass.get(s.id) ?? s.has_open_pass) && <span class="badge badge--active">Has a pass</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
