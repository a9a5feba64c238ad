// Who is out, as the hall monitor's map and list group them: by destination, here or on the way.
import type { Pass, Place } from "../../api/types";
import { WALK_MINUTES } from "../../contract/constants";
import { tick } from "../../live/clock";
import { isOver } from "../../ui/PassRow";

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

/** A place and where it is drawn on the plan. */
export interface Drawn {
  place: Place;
  box: Box;
}

/** The tray's slot for a place not yet on the plan: the size a new place starts with. */
export const SLOT = { width: 200, height: 130, gap: 16 } as const;
// Room above the tray for its label, "Not on the plan yet".
const TRAY_LABEL = 40;

/** Lay places out: those with geometry where it says, the rest in a tray under the plan, so a
 * place added later is on the map (and can be dragged into place) before anyone draws it. */
export function layout(places: readonly Place[]): { drawn: Drawn[]; tray: Drawn[] } {
  const drawn: Drawn[] = [];
  const unplaced: Place[] = [];
  for (const place of places) {
    const box = boxOf(place);
    if (box) drawn.push({ place, box });
    else unplaced.push(place);
  }
  const below = drawn.length ? Math.max(...drawn.map((d) => d.box.y + d.box.height)) : 0;
  const left = drawn.length ? Math.min(...drawn.map((d) => d.box.x)) : 0;
  const perRow = Math.max(1, Math.floor((PLAN.width - left + SLOT.gap) / (SLOT.width + SLOT.gap)));
  const tray = unplaced.map((place, i) => ({
    place,
    box: {
      x: left + (i % perRow) * (SLOT.width + SLOT.gap),
      y: below + TRAY_LABEL + Math.floor(i / perRow) * (SLOT.height + SLOT.gap),
      width: SLOT.width,
      height: SLOT.height,
    },
  }));
  return { drawn, tray };
}

/** Where a student out is: checked in, presumed there (no check-in, walk over), or on the way. */
export type Presence = "here" | "presumed" | "coming";

/** When a student who left at `started` should be there: one typical walk later, by `due`
 * (server/rules/walk.py expected_arrival). */
export function expectedArrival(started: string, due: string | null): number {
  const walked = Date.parse(started) + WALK_MINUTES * 60_000;
  return due === null ? walked : Math.min(walked, Date.parse(due));
}

/** Say where a student is: a place that never checks in (a restroom) counts them there once
 * the typical walk is over, since no arrival will ever come. */
export function presenceOf(pass: Pass, place: Place | undefined): Presence {
  if (pass.state !== "active") return "coming";
  if (pass.arrived_at) return "here";
  if (place && !place.checks_in && pass.started_at && expectedArrival(pass.started_at, pass.due_at) <= tick.value) {
    return "presumed";
  }
  return "coming";
}

/** Say whether a student is at the destination (checked in, or presumed) rather than on the way. */
export function isHere(pass: Pass, place?: Place): boolean {
  return presenceOf(pass, place) !== "coming";
}

/** Every student out of class (active passes): overdue first (longest over first), then the
 * rest longest out first. */
export function outPasses(all: readonly Pass[]): Pass[] {
  const longest = (a: Pass, b: Pass) => (a.started_at ?? "").localeCompare(b.started_at ?? "") || a.id - b.id;
  const active = all.filter((p) => p.state === "active");
  const over = active.filter(isOver).sort((a, b) => (a.due_at ?? "").localeCompare(b.due_at ?? "") || longest(a, b));
  return [...over, ...active.filter((p) => !isOver(p)).sort(longest)];
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

/** Say where a student is in words: "at Nurse", "at Restroom North (no check-in)" or "on the
 * way to Nurse". */
export function whereWords(pass: Pass, place?: Place): string {
  const presence = presenceOf(pass, place);
  const name = pass.destination.name;
  return presence === "here" ? `at ${name}` : presence === "presumed" ? `at ${name} (no check-in)` : `on the way to ${name}`;
}
