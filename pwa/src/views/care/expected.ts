// When a student on the way is expected: the server's one rule (server/rules/walk.py), in words.
import { WALK_MINUTES } from "../../contract/constants";
import type { Pass } from "../../api/types";
import { timeOfDay } from "../../ui/format";

/** One walk after leaving, but never after the pass is due (expected_arrival); null if not out. */
export function expectedArrival(pass: Pass): number | null {
  if (!pass.started_at) return null;
  const walked = Date.parse(pass.started_at) + WALK_MINUTES * 60_000;
  return pass.due_at ? Math.min(walked, Date.parse(pass.due_at)) : walked;
}

/** "Expected about 9:03 AM (3-min walk)": the same words as the nurse's notice. */
export function expectedWords(pass: Pass, timeZone?: string): string {
  const at = expectedArrival(pass);
  if (at === null || !pass.started_at) return "";
  const walk = Math.ceil((at - Date.parse(pass.started_at)) / 60_000);
  return `Expected about ${timeOfDay(new Date(at).toISOString(), timeZone)} (${walk}-min walk)`;
}
