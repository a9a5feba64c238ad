// How the Policies tab says a row in words: "Grade 9: 3 passes a day, 10-minute cooldown".
import type { PolicyRow, PolicyScope } from "../../api/types";

export const SCOPES: readonly (readonly [Exclude<PolicyScope, "school">, string])[] = [
  ["grade", "A grade"],
  ["group", "A student group"],
  ["destination", "A place"],
  ["student", "A student"],
];

/** Headings for the list, most specific last (the order resolution reads them backwards). */
export const SCOPE_HEADINGS: Record<PolicyScope, string> = {
  school: "Whole school",
  grade: "Grades",
  group: "Student groups",
  destination: "Places",
  student: "Students",
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** One setting in words, or null for keys the tab doesn't know (they are kept, not shown). */
function settingWords(key: string, value: unknown): string | null {
  const n = typeof value === "number" ? value : null;
  switch (key) {
    case "passes_per_day":
      return n === null ? "no daily limit" : `${plural(n, "pass", "passes")} a day`;
    case "passes_per_week":
      return n === null ? "no weekly limit" : `${plural(n, "pass", "passes")} a week`;
    case "cooldown_minutes":
      return n === null ? "no cooldown" : `${n}-minute cooldown`;
    case "no_fly_after_start_minutes":
      return n === null ? "open right after a bell" : `closed ${plural(n, "minute")} after a bell`;
    case "no_fly_before_end_minutes":
      return n === null ? "open right before a bell" : `closed ${plural(n, "minute")} before a bell`;
    case "no_pass_periods":
      return Array.isArray(value) && value.length ? `no passes in ${value.join(", ")}` : "passes in every period";
    case "overtime_grace_minutes":
      return n === null ? "passes never expire" : `expires ${plural(n, "minute")} past due`;
    case "offer_seconds":
      return n === null ? null : `${n} s to take a place in line`;
    case "exempt":
      return value === true ? "not counted or limited (exempt)" : null;
    case "accommodation":
      return value === true ? "accommodation: no limits, front of the line" : null;
    default:
      return null;
  }
}

/** A row's settings in words; "inherits everything" when it sets none. */
export function rulesInWords(rules: PolicyRow["rules"]): string {
  const parts = Object.entries(rules)
    .map(([key, value]) => settingWords(key, value))
    .filter((w): w is string => w !== null);
  return parts.length ? parts.join(", ") : "sets nothing (inherits everything)";
}

/** Whom a row applies to, by name: "Grade 9", "Group IEP", "Nurse", "Ana Lopez". */
export function targetName(row: Pick<PolicyRow, "scope" | "target">, names: { place: (id: number) => string | undefined; student: (id: number) => string | undefined }): string {
  switch (row.scope) {
    case "school":
      return "Whole school";
    case "grade":
      return `Grade ${row.target}`;
    case "group":
      return `Group ${row.target}`;
    case "destination":
      return names.place(Number(row.target)) ?? `Place #${row.target}`;
    case "student":
      return names.student(Number(row.target)) ?? `Student #${row.target}`;
  }
}

/** The row's path in the API: /api/policies/grade/9, /api/policies/group/IEP%20plan. */
export function policyPath(row: Pick<PolicyRow, "scope" | "target">): string {
  return row.scope === "school" ? "/api/policies/school" : `/api/policies/${row.scope}/${encodeURIComponent(row.target)}`;
}
