// The emergency as this user may see it, from the `emergency` frames (ADR 0007): the newest
// revision of each emergency wins, since these frames are not in the seq-ordered event stream.
import { effect, signal } from "@preact/signals";
import { call } from "../api/client";
import type { EmergencyFrame, EmergencyView } from "../api/types";
import { me, onFrame } from "./store";

// Kept on the device too: a roster loaded once must stay on screen through a network drop,
// even across a reload (issue 7). Confirmed with the server at every (re)connection.
const KEY = "hallpass.emergency";

function saved(): EmergencyView | null {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? "null") as EmergencyView | null;
  } catch {
    return null;
  }
}

/** The emergency in force, or null. */
export const emergency = signal<EmergencyView | null>(saved());
/** The emergency that just ended (for the all-clear banner), until dismissed. */
export const allClear = signal<EmergencyView | null>(null);

/** Apply one emergency frame (older revisions of the same emergency are ignored). */
export function applyEmergency(frame: EmergencyFrame): void {
  const known = emergency.value ?? allClear.value;
  if (known && known.id === frame.emergency.id && known.revision > frame.emergency.revision) return;
  if (frame.active) {
    emergency.value = frame.emergency;
    allClear.value = null;
  } else {
    emergency.value = null;
    allClear.value = frame.emergency;
  }
}

/** Ask the server whether the emergency shown is still in force. */
async function confirm(): Promise<void> {
  const state = await call<{ active: boolean; emergency: EmergencyView | null }>("GET", "/api/emergency");
  if (state.active && state.emergency) applyEmergency({ type: "emergency", active: true, emergency: state.emergency });
  else emergency.value = null;
}

onFrame((frame) => {
  if (frame.type === "emergency") applyEmergency(frame);
  // The server follows a snapshot with the emergency frame when one is on; asking is needed
  // only to clear one shown from the device that may have ended while it was away.
  if ((frame.type === "snapshot" || frame.type === "ready") && emergency.value !== null) {
    void confirm().catch(() => undefined);
  }
});

effect(() => {
  const current = emergency.value;
  try {
    if (current === null) localStorage.removeItem(KEY);
    else if (me.value) localStorage.setItem(KEY, JSON.stringify(current));
  } catch {
    // Storage disabled: the screen still works while the page stays open.
  }
});

// Signing out forgets the last user's emergency view (another user's may differ).
let signedIn = false;
me.subscribe((user) => {
  if (user === null && signedIn) {
    emergency.value = null;
    allClear.value = null;
  }
  signedIn = user !== null;
});
