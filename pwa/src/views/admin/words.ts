// How the admin screens name the server's enums.
import type { Approval, PlaceKind, Role } from "../../api/types";

export const KINDS: readonly (readonly [PlaceKind, string])[] = [
  ["classroom", "Classroom"],
  ["restroom", "Restroom"],
  ["nurse", "Nurse"],
  ["counselor", "Counselor"],
  ["library", "Library"],
  ["office", "Office"],
  ["other", "Other"],
];

export const APPROVALS: readonly (readonly [Approval, string])[] = [
  ["none", "Nobody: students start it"],
  ["origin_teacher", "The student's teacher"],
  ["destination_staff", "The place's staff"],
];

export const ROLES: readonly (readonly [Role, string])[] = [
  ["student", "Student"],
  ["teacher", "Teacher"],
  ["substitute", "Substitute"],
  ["nurse", "Nurse"],
  ["counselor", "Counselor"],
  ["security", "Hall monitor (security)"],
  ["admin", "Administrator"],
  ["kiosk", "Door kiosk"],
];

/** Say an enum value in words, from one of the lists above. */
export function wordFor<T extends string>(list: readonly (readonly [T, string])[], value: T): string {
  return list.find(([key]) => key === value)?.[1] ?? value;
}

/** Say a limit that may be null: "3" or "no limit". */
export function limit(value: number | null | undefined, none = "no limit"): string {
  return value === null || value === undefined ? none : String(value);
}
