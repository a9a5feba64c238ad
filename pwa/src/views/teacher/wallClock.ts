// A date and time as the school's clocks say them, to the instant the server needs (ISO, UTC).

/** Minutes the zone is ahead of UTC at an instant (e.g. -360 in Chicago in winter). */
function offsetMinutes(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(instant));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"), part("second"));
  return Math.round((wall - instant) / 60_000);
}

/** The instant a wall-clock date ("2026-12-07") and time ("10:40") name in the zone, as ISO UTC. */
export function wallToIso(date: string, time: string, timeZone: string): string {
  const [year, month, day] = date.split("-").map(Number);
  const [hour, minute] = time.split(":").map(Number);
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // Twice: the first guess may sit on the other side of a daylight-saving change.
  let instant = wall - offsetMinutes(wall, timeZone) * 60_000;
  instant = wall - offsetMinutes(instant, timeZone) * 60_000;
  return new Date(instant).toISOString();
}

/** Today's date in the zone, as a date input takes it ("2026-12-06"). */
export function todayIn(timeZone: string, now: number = Date.now()): string {
  return new Date(now).toLocaleDateString("en-CA", { timeZone });
}
