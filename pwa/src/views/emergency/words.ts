// What each kind of emergency asks of people, in plain words.
import type { EmergencyKind } from "../../api/types";

export const KIND_WORDS: Record<EmergencyKind, string> = {
  lockdown: "Lockdown",
  evacuation: "Evacuation",
  shelter: "Shelter in place",
  drill: "Drill",
};

/** What a student out of class should do now. */
export const STUDENT_STEPS: Record<EmergencyKind, string> = {
  lockdown: "Go into the nearest room that locks, stay quiet and out of sight. Do not leave until staff say so.",
  evacuation: "Leave the building by the nearest safe exit and go to your assembly point.",
  shelter: "Go into the nearest room and stay there until staff say so.",
  drill: "This is a drill. Do what you would do in a real emergency, and follow staff.",
};

export const STATUS_WORDS = {
  missing: "Not accounted for",
  safe: "Safe",
  need_help: "Needs help",
  present: "Present",
} as const;
