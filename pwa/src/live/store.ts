// The app's live state: the signed-in user, passes from snapshot + events, the connection.
import { computed, effect, signal } from "@preact/signals";
import type { Me, MySchool, Notification, Pass, Place, ServerFrame, Session } from "../api/types";
import { ApiError, call, NetworkError, setCsrf } from "../api/client";
import { forgetSignedIn, maySignedIn } from "../api/sessionHint";
import * as lastKnown from "./lastKnown";
import { applyFrame, EMPTY, type LiveState, upsertPass } from "./reducer";
import { isNewer, type SchoolFrame, samePlaces, withCounts } from "./school";
import { withoutDecided } from "./requestToasts";
import { type Connection, LiveSocket } from "./socket";

export const me = signal<Me | null>(null);
export const live = signal<LiveState>(EMPTY);
export const connection = signal<Connection>("connecting");
/** True once the first snapshot arrived: until then, lists say "loading", not "nobody". */
export const synced = signal(false);
/** The school's places; their counts follow the `school` frames (no polling). */
export const places = signal<Place[]>([]);
/** The school's live state: the last `school` frame (null until the first arrives). */
export const school = signal<SchoolFrame | null>(null);
/** True once GET /api/locations answered: only then can a frame tell a place was added. */
let placesLoaded = false;
let placesLoading: Promise<void> | null = null;
// Long enough to read two lines twice between classes.
const ROUTINE_TOAST_MS = 10_000;

/** A notice on screen: a `notification` frame, or something the app itself has to say. */
export type Toast = Pick<Notification, "id" | "title" | "body" | "url" | "tag" | "urgency"> &
  Partial<Pick<Notification, "pass_id" | "category">>;
export const toasts = signal<Toast[]>([]);
/** Other frames (emergency, ...) for views that listen to them. */
const listeners = new Set<(frame: ServerFrame) => void>();

effect(() => {
  const user = me.value;
  if (user && synced.value) lastKnown.saveSoon(user, live.value, places.value);
});

/** Every pass the user may see, newest request first. */
export const passes = computed(() =>
  [...live.value.passes.values()].sort((a, b) => b.requested_at.localeCompare(a.requested_at)),
);

const socket = new LiveSocket({
  cursor: () => {
    const { epoch, seq } = live.value;
    return epoch === null ? null : { epoch, since: seq };
  },
  frame: (frame) => {
    if (frame.type === "notification") showToast(frame);
    else if (frame.type === "school") applySchool(frame);
    else {
      // Another event log (history was lost): its seqs start again, and so do the frames'.
      if (frame.type === "snapshot" && frame.epoch !== live.value.epoch) school.value = null;
      live.value = applyFrame(live.value, frame);
    }
    if (frame.type === "event") toasts.value = withoutDecided(toasts.value, frame.pass);
    if (frame.type === "snapshot" || frame.type === "ready") synced.value = true;
    for (const listener of listeners) listener(frame);
  },
  status: (status) => {
    connection.value = status;
  },
  accessLost: () => {
    void signOut(false);
  },
});

/** Listen to every frame (returns the unsubscribe). */
export function onFrame(listener: (frame: ServerFrame) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Keep a pass the API just answered with (the live event confirms it moments later). */
export function keepPass(pass: Pass): void {
  live.value = upsertPass(live.value, pass);
}

/** Show an in-app notice; a newer one with the same tag replaces the older. */
export function showToast(notice: Toast): void {
  toasts.value = [...toasts.value.filter((t) => t.tag !== notice.tag && t.id !== notice.id), notice].slice(-4);
  // Routine notices step aside on their own; urgent ones (safety, "your turn") wait for a tap.
  if (notice.urgency !== "high") window.setTimeout(() => dismissToast(notice.id), ROUTINE_TOAST_MS);
}

/** Dismiss one notice. */
export function dismissToast(id: number): void {
  toasts.value = toasts.value.filter((t) => t.id !== id);
}

/** Reload the places list (names, capacities); the latest `school` frame's counts win. */
export function loadPlaces(): Promise<void> {
  placesLoading ??= call<Place[]>("GET", "/api/locations")
    .then((list) => {
      places.value = withCounts(list, school.value);
      placesLoaded = true;
    })
    .finally(() => (placesLoading = null));
  return placesLoading;
}

/** Take a `school` frame: counts onto the places, passes on or off onto the user's school. */
function applySchool(frame: SchoolFrame): void {
  if (!isNewer(school.value, frame)) return;
  school.value = frame;
  places.value = withCounts(places.value, frame);
  // A place added, archived or restored: its name and kind come from the list.
  if (placesLoaded && !samePlaces(places.value, frame)) void loadPlaces().catch(() => undefined);
  const user = me.value;
  if (user && user.school.passes_enabled !== frame.passes_enabled) {
    me.value = { ...user, school: { ...user.school, passes_enabled: frame.passes_enabled } };
  }
}

/** True while the user and CSRF token came from the device, not the server (offline start). */
let fromDevice = false;

/** The other schools of the district where the signed-in person has an account. */
export const mySchools = signal<MySchool[]>([]);

function begin(user: Me): void {
  if (me.value === null && lastKnown.load()?.me.id !== user.id) lastKnown.forget();
  me.value = user;
  setCsrf(user.csrf_token ?? null);
  void call<MySchool[]>("GET", "/api/me/schools").then(
    (found) => (mySchools.value = found),
    () => undefined,
  );
  // A district administrator has no live view and no places: the server refuses both.
  if (user.role === "district_admin") return;
  socket.start();
  void loadPlaces().catch(() => undefined);
}

/** Switch to the person's account in another school: a new session, this one ends. */
export async function switchSchool(schoolId: number): Promise<void> {
  const session = await call<Session>("POST", "/api/session/switch", { body: { school_id: schoolId } });
  socket.stop();
  lastKnown.forget();
  live.value = EMPTY;
  synced.value = false;
  toasts.value = [];
  forgetSchool();
  me.value = null;
  setCsrf(session.csrf_token);
  begin({ ...session.user, csrf_token: session.csrf_token });
}

/** Resume the session the cookie holds, if any; true when signed in. */
export async function restore(): Promise<boolean> {
  // No session hint: nothing to resume, and asking would only log a 401 on the sign-in page.
  if (!maySignedIn()) return false;
  try {
    begin(await call<Me>("GET", "/api/me"));
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) forgetSignedIn();
    const saved = error instanceof NetworkError ? lastKnown.load() : null;
    if (!saved) return false;
    // Offline at start: show what was last known, clearly not live, and catch up on reconnect.
    fromDevice = true;
    live.value = saved.state;
    places.value = saved.places;
    synced.value = true;
    begin(saved.me);
    return true;
  }
}

/** Re-read the signed-in user (the school's settings, such as passes switched off, change). */
export async function refreshMe(): Promise<void> {
  const user = await call<Me>("GET", "/api/me");
  me.value = { ...user, csrf_token: user.csrf_token ?? me.value?.csrf_token ?? null };
}

/** Once the server answers again, re-read who is signed in (and the CSRF token) if needed. */
export async function confirmSession(): Promise<void> {
  if (!fromDevice) return;
  const user = await call<Me>("GET", "/api/me");
  fromDevice = false;
  me.value = user;
  setCsrf(user.csrf_token ?? null);
}

/** Sign in with a login and password (throws ApiError on refusal). */
export async function signIn(login: string, password: string): Promise<void> {
  const session = await call<Session>("POST", "/api/session", { body: { login, password } });
  setCsrf(session.csrf_token);
  begin({ ...session.user, csrf_token: session.csrf_token });
}

/** Sign in as a substitute with the one-day code a teacher or the office gave them. */
export async function signInWithCode(code: string): Promise<void> {
  const session = await call<Session>("POST", "/api/session/code", { body: { code } });
  setCsrf(session.csrf_token);
  begin({ ...session.user, csrf_token: session.csrf_token });
}

/** Sign out: end the session on the server (when asked) and forget everything here. */
export async function signOut(tellServer = true): Promise<void> {
  socket.stop();
  if (tellServer) await call("DELETE", "/api/session").catch(() => undefined);
  forgetSignedIn();
  setCsrf(null);
  lastKnown.forget();
  fromDevice = false;
  me.value = null;
  live.value = EMPTY;
  synced.value = false;
  toasts.value = [];
  forgetSchool();
  mySchools.value = [];
}

function forgetSchool(): void {
  places.value = [];
  school.value = null;
  placesLoaded = false;
}
