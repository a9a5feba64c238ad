// How free a place is, in the words of a place tile: the student's picker and the door kiosk.
import type { Place } from "../api/types";
import { isFull } from "../live/school";

/** The note under a place's name: its room, or why a pass there would wait. */
export function placeNote(place: Place, hallwayFull: boolean): string {
  if (isFull(place)) {
    return place.waiting > 0 ? `Full · ${place.waiting} in line` : "Full · you'd be next in line";
  }
  if (hallwayFull) return "Hallways full · you'd wait in line";
  if (place.approval === "origin_teacher") return "Teacher approves";
  if (place.approval === "destination_staff") return "Staff accepts";
  if (place.capacity !== null) return `${place.capacity - place.out} of ${place.capacity} free`;
  return "Free";
}
