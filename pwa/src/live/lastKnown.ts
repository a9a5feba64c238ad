// The last known state, kept on the device so a reload during a Wi-Fi outage still shows the
// user and their passes (marked as not live) instead of a sign-in form. Removed at sign-out.
import type { Me, Pass, Place } from "../api/types";
import { EMPTY, type LiveState } from "./reducer";

const KEY = "hallpass.lastKnown";

interface Saved {
  me: Omit<Me, "csrf_token">;
  epoch: string | null;
  seq: number;
  hallway: LiveState["hallway"];
  passes: Pass[];
  places: Place[];
}

let timer: number | undefined;

/** Save the state soon (at most once a second, whatever the rate of events). */
export function saveSoon(me: Me, state: LiveState, places: Place[]): void {
  window.clearTimeout(timer);
  timer = window.setTimeout(() => {
    const { csrf_token: _csrf, ...user } = me;
    const saved: Saved = {
      me: user,
      epoch: state.epoch,
      seq: state.seq,
      hallway: state.hallway,
      passes: [...state.passes.values()],
      places,
    };
    try {
      localStorage.setItem(KEY, JSON.stringify(saved));
    } catch {
      // Storage full or disabled: the app still works, only not across an offline reload.
    }
  }, 1000);
}

/** Return the saved user, state and places, if any. */
export function load(): { me: Me; state: LiveState; places: Place[] } | null {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? "null") as Saved | null;
    if (!saved) return null;
    return {
      me: saved.me as Me,
      state: {
        ...EMPTY,
        passes: new Map(saved.passes.map((p) => [p.id, p])),
        epoch: saved.epoch,
        seq: saved.seq,
        hallway: saved.hallway,
      },
      places: saved.places,
    };
  } catch {
    return null;
  }
}

/** Forget the saved state (sign-out, or another user signed in). */
export function forget(): void {
  window.clearTimeout(timer);
  localStorage.removeItem(KEY);
}
