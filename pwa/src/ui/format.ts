// Words and times as people in a school say them.
import type { Pass, PassState } from "../api/types";

const STATE_WORDS: Record<PassState, string> = {
  scheduled: "Scheduled",
  pending: "Waiting for approval",
  waiting: "In line",
  active: "Out",
  ended: "Back",
  denied: "Denied",
  cancelled: "Cancelled",
  expired: "Expired",
};

/** Say a pass's state in a word or two. */
export function stateWords(pass: Pass): string {
  if (pass.state === "waiting" && pass.offer_expires_at) return "Your turn";
  if (pass.state === "active" && pass.overdue_at) return "Overdue";
  return STATE_WORDS[pass.state];
}

/** Say a place in line: 1st, 2nd, 3rd, 11th, 22nd. */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? "th" : ({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th";
  return `${n}${suffix}`;
}

/** Format seconds as m:ss (or h:mm:ss past an hour). */
export function clock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

/** Say a time of day in the school's time zone: "10:42 AM" (with `seconds`, "10:42:05 AM"). */
export function timeOfDay(at: string | number | null | undefined, timeZone?: string, seconds = false): string {
  if (at === null || at === undefined || at === "") return "";
  return new Date(at).toLocaleTimeString([], {
    hour: "numeric",
    minute: "2-digit",
    second: seconds ? "2-digit" : undefined,
    timeZone,
  });
}

/** Say how long a finished pass was out (" · 4:12"), or nothing if it never started or ended. */
export function timeOut(pass: Pass): string {
  if (!pass.ended_at || !pass.started_at) return "";
  return ` · ${clock((Date.parse(pass.ended_at) - Date.parse(pass.started_at)) / 1000)}`;
}

/** What a waiting pass's reason tells the student ("In line: the hallways are full"). */
export function lineReasonWords(pass: Pass): string | null {
  switch (pass.line_reason) {
    case "hallway_full":
      return "In line: the hallways are full.";
    case "place_full":
      return `In line: ${pass.destination.name} is full.`;
    case "room_max":
      return "In line: the most students allowed are already out of your class.";
    default:
      return null;
  }
}
