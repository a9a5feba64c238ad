// Which class a teacher's list is for: today's periods, the teacher's sections, the words to say it.
import type { components } from "../../contract/openapi";
import { OPEN_STATES, type Pass, type StudentHit, type Today } from "../../api/types";

type Section = components["schemas"]["SectionOut"];

/** "" is now: the server picks the period (and the class) of the moment. */
export const NOW = "";

/** The teacher's section meeting in a period of today's day type, if any. */
export function sectionIn(sections: readonly Section[], today: Today | null, period: string): Section | undefined {
  const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
  return sections.find((s) =>
    s.meetings.some((m) => same(m.period, period) && (m.day_type === null || (today?.day_type != null && same(m.day_type, today.day_type)))),
  );
}

/** Say a period and where: "Period 3 · Room 102", or just the room outside periods. */
export function placeWords(period: string | null, room: string | null): string {
  return [period, room].filter(Boolean).join(" · ");
}

/** The picker's options: now (with the current period and room), then each period of today. */
export function classOptions(today: Today | null, sections: readonly Section[], rooms: readonly string[]): [string, string][] {
  const homeRoom = rooms.join(", ") || null;
  const current = today?.current ?? null;
  const nowSection = current ? sectionIn(sections, today, current) : undefined;
  const nowWords = placeWords(current, nowSection?.room?.name ?? homeRoom);
  const options: [string, string][] = [[NOW, nowWords ? `Now (${nowWords})` : "Now"]];
  for (const period of today?.periods ?? []) {
    const section = sectionIn(sections, today, period.name);
    const what = section ? `${section.title} · ${section.room?.name ?? homeRoom ?? "no room"}` : "no class";
    options.push([period.name, `${period.name} (${period.start}–${period.end}) · ${what}`]);
  }
  return options;
}

/** GET /api/students?period=: the students, and which period and room the list is for. */
export interface ClassList {
  students: StudentHit[];
  period: string | null;
  room: string | null;
}

/** Read a teacher's list: each student says the period and room it is for (null: homeroom). */
export function classListOf(students: StudentHit[]): ClassList {
  const first = students.at(0);
  return { students, period: first?.period ?? null, room: first?.room?.name ?? null };
}

/** Whether each student the live passes name has an open pass now (absent: no pass known). */
export function openNow(passes: readonly Pass[]): Map<number, boolean> {
  const open = new Map<number, boolean>();
  for (const p of passes) open.set(p.student.id, (open.get(p.student.id) ?? false) || OPEN_STATES.has(p.state));
  return open;
}
