// The bell schedule as the Schedule tab edits it: day types in a list (so one can be renamed),
// and each field's name as the server's 422 names it (`day_types.regular.periods[2].end`).
import type { Schedule, ScheduleIn } from "../../api/types";

export const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface PeriodDraft {
  name: string;
  start: string;
  end: string;
}
export interface DayTypeDraft {
  name: string;
  periods: PeriodDraft[];
}
export interface OverrideDraft {
  date: string;
  /** "" for no school that day. */
  day_type: string;
  note: string;
}
export interface ScheduleDraft {
  dayTypes: DayTypeDraft[];
  /** "" for no school. */
  weekdays: Record<Weekday, string>;
  overrides: OverrideDraft[];
}

/** The editor's copy of a stored schedule. */
export function draftOfSchedule(schedule: Schedule): ScheduleDraft {
  const weekdays = {} as Record<Weekday, string>;
  for (const day of WEEKDAYS) weekdays[day] = schedule.weekdays[day] ?? "";
  return {
    dayTypes: Object.entries(schedule.day_types).map(([name, type]) => ({ name, periods: type.periods.map((p) => ({ ...p })) })),
    weekdays,
    overrides: schedule.overrides.map((o) => ({ date: o.date, day_type: o.day_type ?? "", note: o.note })),
  };
}

/** The PUT body: the whole schedule, replacing the stored one. */
export function bodyOfSchedule(draft: ScheduleDraft): ScheduleIn {
  const weekdays = {} as NonNullable<ScheduleIn["weekdays"]>;
  for (const day of WEEKDAYS) weekdays[day] = draft.weekdays[day] || null;
  return {
    day_types: Object.fromEntries(draft.dayTypes.map((t) => [t.name.trim(), { periods: t.periods.map((p) => ({ name: p.name.trim(), start: p.start, end: p.end })) }])),
    weekdays,
    overrides: draft.overrides.map((o) => ({ date: o.date, day_type: o.day_type || null, note: o.note })),
  };
}

/** The server's name for a day type's field (`.name` is the day type's own key). */
export function dayTypeField(name: string, rest = ""): string {
  return `day_types.${name.trim()}${rest}`;
}
