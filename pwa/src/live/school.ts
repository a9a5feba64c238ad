// The school's live state (`school` frames): place counts, the hallway, passes on or off.
import type { Place } from "../api/types";
import type { SchoolFrame } from "../contract/frames";

export type { SchoolFrame };

/** True when `next` is at least as new as `last` (frames carry the event seq they are current to). */
export function isNewer(last: SchoolFrame | null, next: SchoolFrame): boolean {
  return last === null || next.seq >= last.seq;
}

/** Return the places with the frame's counts (places the frame does not list keep theirs). */
export function withCounts(list: readonly Place[], frame: SchoolFrame | null): Place[] {
  if (!frame) return [...list];
  const counts = new Map(frame.places.map((c) => [c.id, c]));
  return list.map((place) => {
    const count = counts.get(place.id);
    return count && (count.out !== place.out || count.waiting !== place.waiting)
      ? { ...place, out: count.out, waiting: count.waiting }
      : place;
  });
}

/** True when the frame lists exactly the active places held: else a place was added or archived. */
export function samePlaces(list: readonly Place[], frame: SchoolFrame): boolean {
  const held = new Set(list.filter((p) => p.active).map((p) => p.id));
  return frame.places.length === held.size && frame.places.every((c) => held.has(c.id));
}

/** True when the place has no room for one more now (its capacity is out). */
export function isFull(place: Place): boolean {
  return place.capacity !== null && place.out >= place.capacity;
}

/**
 * The place of the same kind with room to offer instead of a full one ("Restroom South is
 * free"): active, self-start, not full, most room first. None while the hallways are full,
 * since every new pass then waits whatever its place.
 */
export function freeAlternative(place: Place, list: readonly Place[], hallwayFull: boolean): Place | null {
  if (hallwayFull || !isFull(place)) return null;
  const room = (p: Place) => (p.capacity === null ? Number.POSITIVE_INFINITY : p.capacity - p.out);
  const others = list.filter(
    (p) => p.id !== place.id && p.kind === place.kind && p.active && p.is_destination && p.approval === "none" && !isFull(p),
  );
  others.sort((a, b) => room(b) - room(a) || a.name.localeCompare(b.name));
  return others[0] ?? null;
}
