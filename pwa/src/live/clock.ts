// The server's clock as seen from this device: timers count from the server's time, not the
// device's, since school Chromebooks often drift by minutes.
import { signal } from "@preact/signals";

let offsetMs = 0;

/** Learn the offset from an HTTP Date header (second precision, which is enough for timers). */
export function learnServerTime(header: string | null): void {
  if (!header) return;
  const server = Date.parse(header);
  if (Number.isNaN(server)) return;
  const offset = server - Date.now();
  // A Date header is truncated to the second, so only trust offsets larger than that.
  offsetMs = Math.abs(offset) > 1500 ? offset : 0;
}

/** Return the server's time now, in milliseconds since the epoch. */
export function serverNow(): number {
  return Date.now() + offsetMs;
}

/** Ticks once a second for every timer on screen: one interval, however many timers. */
export const tick = signal(serverNow());
setInterval(() => {
  tick.value = serverNow();
}, 1000);
