// The sections meeting in a period of today (or all of them), and the roster of the one chosen.
import { useEffect, useRef, useState } from "preact/hooks";
import { call } from "../../../api/client";
import type { Today } from "../../../api/types";
import { messageOf } from "../../../ui/Button";
import { FormMessage, SelectField } from "../Field";
import type { Section, SectionList } from "./types";
import { plural } from "./words";

const ALL = "";

/** The period the screen opens on: the current one, else the next, else every section. */
export function defaultPeriod(today: Today | null): string {
  return today?.current ?? today?.next ?? ALL;
}

/** Today's periods as a select's options, "Now" marking the current one. */
export function periodOptions(today: Today | null, all = "Every section"): [string, string][] {
  const periods = (today?.periods ?? []).map((p): [string, string] => [p.name, `${p.name} (${p.start}–${p.end})${p.current ? " · now" : ""}`]);
  return all ? [[ALL, all], ...periods] : periods;
}

/** The sections card; `version` changes after an import, to read them again. */
export function SectionsByPeriod({ version }: { version: number }) {
  const [today, setToday] = useState<Today | null>(null);
  const [period, setPeriod] = useState<string | null>(null);
  const [list, setList] = useState<SectionList | null>(null);
  const [chosen, setChosen] = useState<Section | null>(null);
  const [error, setError] = useState<string | null>(null);
  const roster = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    call<Today>("GET", "/api/schedule/today").then(
      (t) => {
        setToday(t);
        setPeriod((old) => old ?? defaultPeriod(t));
      },
      () => setPeriod((old) => old ?? ALL), // no bells: every section still lists
    );
  }, []);

  useEffect(() => {
    if (period === null) return;
    const params = new URLSearchParams({ limit: "500" });
    if (period) params.set("period", period);
    setList(null);
    setChosen(null);
    call<SectionList>("GET", `/api/sections?${params.toString()}`).then(setList, (e) => setError(messageOf(e)));
  }, [period, version]);

  async function open(section: Section) {
    setError(null);
    try {
      setChosen(await call<Section>("GET", `/api/sections/${section.id}`));
      window.setTimeout(() => roster.current?.focus(), 0);
    } catch (e) {
      setError(messageOf(e));
    }
  }

  const label = period ? `meeting in ${period}${list?.day_type ? ` (${list.day_type} day)` : ""}` : "of the school";
  return (
    <section class="card stack" aria-labelledby="sections-title">
      <h2 id="sections-title">Sections by period</h2>
      <div class="roster-filters">
        <SelectField
          id="sections-period"
          label="Period"
          value={period ?? ALL}
          options={periodOptions(today)}
          onChange={setPeriod}
          hint={today?.day_type ? `Today is a ${today.day_type} day.` : today ? "No school today: every section is listed." : undefined}
        />
      </div>
      <FormMessage text={error} />
      {list === null ? (
        !error && <p class="muted">Loading…</p>
      ) : list.sections.length === 0 ? (
        <p class="muted" role="status">
          No section {label}.
        </p>
      ) : (
        <div class="table-wrap table-wrap--tall" role="region" aria-labelledby="sections-caption" tabIndex={0}>
          <table class="table table--cards sections">
            <caption id="sections-caption">
              {plural(list.total, "section")} {label}
              {list.total > list.sections.length ? `, the first ${list.sections.length}` : ""}
            </caption>
            <thead>
              <tr>
                <th scope="col">Section</th>
                <th scope="col">Room</th>
                <th scope="col">Teachers</th>
                <th scope="col" class="count">
                  Students
                </th>
                <th scope="col">
                  <span class="visually-hidden">Roster</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.sections.map((s) => (
                <tr key={s.id} class={chosen?.id === s.id ? "row--chosen" : undefined} data-section-id={s.id}>
                  <th scope="row">
                    {s.title}
                    {s.code && <div class="muted small">{s.code}</div>}
                  </th>
                  <td data-label="Room">{s.room?.name ?? "—"}</td>
                  <td data-label="Teachers">{s.teachers.map((t) => t.name).join(", ") || "—"}</td>
                  <td class="count" data-label="Students">
                    {s.student_count}
                  </td>
                  <td class="table__action">
                    <button
                      type="button"
                      class="btn btn--small"
                      aria-pressed={chosen?.id === s.id}
                      aria-label={`Roster of ${s.title}`}
                      onClick={() => void open(s)}
                    >
                      Roster
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {chosen && (
        <div class="stack roster-of">
          <h3 ref={roster} tabIndex={-1}>
            {chosen.title}: {plural(chosen.student_count, "student")}
          </h3>
          <p class="muted">
            {chosen.room ? `${chosen.room.name} · ` : ""}
            {chosen.teachers.map((t) => t.name).join(", ") || "No teacher"}
            {chosen.meetings.length > 0 && ` · ${chosen.meetings.map((m) => (m.day_type ? `${m.period} (${m.day_type})` : m.period)).join(", ")}`}
          </p>
          {(chosen.students ?? []).length === 0 ? (
            <p class="muted">Nobody is enrolled.</p>
          ) : (
            <div class="table-wrap table-wrap--tall" role="region" aria-labelledby="roster-caption" tabIndex={0}>
              <table class="table">
                <caption id="roster-caption" class="visually-hidden">
                  Students of {chosen.title}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Student</th>
                    <th scope="col">Number</th>
                  </tr>
                </thead>
                <tbody>
                  {(chosen.students ?? []).map((p) => (
                    <tr key={p.id}>
                      <th scope="row">{p.name}</th>
                      <td class="mono">{p.student_number ?? "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
