// The last known state, kept on the device so a reload during a Wi-Fi outage still shows the
// user and their passes (marked as not live) instead of a sign-in form. Removed at sign-out.
import type { Me, Pass, Place } from "../api/types";
import { EMPTY, type LiveState } from "./reducer";

const KEY = "hallpass.lastKnown";
const SAVE_EVERY_MS = 1000;

interface Saved {
  me: Omit<Me, "csrf_token">;
  epoch: string | null;
  seq: number;
  hallway: LiveState["hallway"];
  passes: Pass[];
  places: Place[];
}

// The newest state to save, and the timer that saves it. A throttle, not a debounce: the first
// change after a save starts a one-second timer that later changes do not push back, so a
// steady stream of events is saved once a second rather than never.
let pending: { me: Me; state: LiveState; places: Place[] } | null = null;
let timer: number | undefined;

/** Save the state soon: within a second of a change, and at most once a second. */
export function saveSoon(me: Me, state: LiveState, places: Place[]): void {
  pending = { me, state, places };
  if (timer === undefined) timer = window.setTimeout(flush, SAVE_EVERY_MS);
}

function flush(): void {
  timer = undefined;
  if (!pending) return;
  const { me, state, places } = pending;
  pending = null;
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
  timer = undefined;
  pending = null;
  localStorage.removeItem(KEY);
}
