// Who is out, as the hall monitor's map and list group them: by destination, here or on the way.
import type { Pass, Place } from "../../api/types";

/** A place's rectangle on the 1000x600 floor plan (locations' `geometry`). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The floor plan's size: every location's geometry is drawn in these units. */
export const PLAN = { width: 1000, height: 600 } as const;

/** Return a place's box, or null when it has none (or a malformed one) on the plan. */
export function boxOf(place: Place): Box | null {
  const g = place.geometry as Partial<Record<keyof Box, unknown>>;
  const nums = [g.x, g.y, g.width, g.height];
  if (!nums.every((n) => typeof n === "number" && Number.isFinite(n))) return null;
  const [x, y, width, height] = nums as number[];
  return width > 0 && height > 0 ? { x, y, width, height } : null;
}

/** Say whether a student is at the destination (checked in) rather than on the way. */
export function isHere(pass: Pass): boolean {
  return pass.state === "active" && !!pass.arrived_at;
}

/** Every student out of class (active passes), longest out first. */
export function outPasses(all: readonly Pass[]): Pass[] {
  return all
    .filter((p) => p.state === "active")
    .sort((a, b) => (a.started_at ?? "").localeCompare(b.started_at ?? "") || a.id - b.id);
}

/** Group passes by destination id, keeping their order. */
export function byDestination(out: readonly Pass[]): Map<number, Pass[]> {
  const groups = new Map<number, Pass[]>();
  for (const pass of out) {
    const list = groups.get(pass.destination.id) ?? [];
    list.push(pass);
    groups.set(pass.destination.id, list);
  }
  return groups;
}

/** Count students out of each room they left (for classrooms on the map). */
export function byOrigin(out: readonly Pass[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const pass of out) counts.set(pass.origin.id, (counts.get(pass.origin.id) ?? 0) + 1);
  return counts;
}

/** Normalise search text: case and accents do not matter ("jose" finds "José"). */
export function fold(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().trim();
}

/** Say whether a pass matches the search: the student's name, or where they are going or from. */
export function matches(pass: Pass, query: string): boolean {
  const q = fold(query);
  if (!q) return true;
  return [pass.student.name, pass.destination.name, pass.origin.name].some((t) => fold(t).includes(q));
}

/** A student's initials for a map marker: "Ava Martinez" -> "AM". */
export function initials(name: string): string {
  const parts = name.split(/\s+/).filter(Boolean);
  const first = parts[0]?.[0] ?? "?";
  const last = parts.length > 1 ? parts[parts.length - 1][0] : "";
  return (first + last).toUpperCase();
}

/** Say where a student is in words: "at Nurse" or "on the way to Nurse". */
export function whereWords(pass: Pass): string {
  return isHere(pass) ? `at ${pass.destination.name}` : `on the way to ${pass.destination.name}`;
}
