// The offline action queue, in IndexedDB so the page and the service worker share it.
// An action made offline keeps the idempotency key it was made with; replaying it any number of
// times (page and worker may both try) applies it once on the server.
import { type DBSchema, openDB } from "idb";

export interface QueuedAction {
  /** The idempotency key, made on the device when the action was made. */
  key: string;
  method: "POST";
  path: string;
  body: unknown;
  /** The CSRF token of the session that made it (the page replays with its current one). */
  csrf: string | null;
  /** What the user did, in their words: "Pass to Library". */
  label: string;
  userId: number;
  queuedAt: number;
}

export interface ReplayResult {
  action: QueuedAction;
  status: number;
  body: unknown;
  /** A 409 whose pass is already where the verb would take it (done from elsewhere): no error. */
  alreadyDone: boolean;
}

interface OutboxDB extends DBSchema {
  outbox: { key: string; value: QueuedAction; indexes: { byTime: number } };
}

export const OUTBOX_CHANNEL = "hallpass-outbox";
export const SYNC_TAG = "hallpass-outbox";

const database = openDB<OutboxDB>("hallpass", 1, {
  upgrade(db) {
    db.createObjectStore("outbox", { keyPath: "key" }).createIndex("byTime", "queuedAt");
  },
});

/** The pass a verb's path acts on ("/api/passes/12/end" -> 12), or null for a new pass. */
export function passOf(path: string): number | null {
  const match = /^\/api\/passes\/(\d+)\/[a-z_]+$/.exec(path);
  return match ? Number(match[1]) : null;
}

/**
 * Keep an action to send when the network is back, and return the action that is kept: at most
 * one verb waits per pass, since a second ("I'm back" tapped twice) would only be refused on
 * reconnect, after the first had moved the pass on.
 */
export async function enqueue(action: QueuedAction): Promise<QueuedAction> {
  const db = await database;
  const pass = passOf(action.path);
  // One transaction: two tabs (or two taps) can't both find the queue free of this pass.
  const tx = db.transaction("outbox", "readwrite");
  const waiting = pass === null ? undefined : (await tx.store.getAll()).find((a) => passOf(a.path) === pass);
  if (!waiting) await tx.store.put(action);
  await tx.done;
  if (waiting) return waiting;
  announce({ type: "queued", key: action.key });
  return action;
}

// The states in which a verb's work is done, whoever did it: "I'm back" sent after a teacher
// ended the pass, or a cancel after the request was denied, asked for what already happened.
const DONE_STATES: Record<string, readonly string[]> = {
  end: ["ended", "expired", "cancelled"],
  cancel: ["cancelled", "denied", "expired", "ended"],
  take: ["active", "ended", "expired"],
  arrive: ["ended", "expired"],
  approve: ["active", "scheduled", "waiting", "ended", "expired"],
  deny: ["denied", "cancelled"],
};

/** Say whether a refusal only says the verb's work is already done (409 with the pass's state). */
export function alreadyDone(action: QueuedAction, status: number, body: unknown): boolean {
  if (status !== 409 || errorCode(body) !== "invalid_transition") return false;
  const verb = action.path.split("/").pop() ?? "";
  const details = (body as { error?: { details?: { state?: string; arrived?: boolean } } } | null)?.error
    ?.details;
  if (verb === "arrive" && details?.arrived) return true;
  return details?.state !== undefined && (DONE_STATES[verb] ?? []).includes(details.state);
}

/** Return the actions still waiting, oldest first. */
export async function queued(): Promise<QueuedAction[]> {
  return (await database).getAllFromIndex("outbox", "byTime");
}

/** Forget every queued action (sign-out on a shared device). */
export async function clearQueue(): Promise<void> {
  await (await database).clear("outbox");
  announce({ type: "cleared" });
}

/**
 * Send the queued actions in the order they were made; stop at the first that can't get through.
 * An answer from the server (done or refused) removes the action: refusals are reported, never
 * retried, because sending it again would be refused the same way. A 5xx, a 401 or a stale
 * CSRF token keeps it.
 */
export async function replay(csrfNow?: string | null): Promise<ReplayResult[]> {
  const run = async (): Promise<ReplayResult[]> => {
    const results: ReplayResult[] = [];
    for (const action of await queued()) {
      let response: Response;
      try {
        response = await fetch(action.path, {
          method: action.method,
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json",
            "Idempotency-Key": action.key,
            ...((csrfNow ?? action.csrf) ? { "X-CSRF-Token": (csrfNow ?? action.csrf) as string } : {}),
          },
          body: JSON.stringify(action.body),
        });
      } catch {
        break; // still offline
      }
      if (response.status >= 500 || response.status === 401) break;
      const text = await response.text();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = null;
      }
      // A stale CSRF token is the session's problem, not the action's: keep it for the next try.
      if (response.status === 403 && errorCode(body) === "csrf_failed") break;
      await (await database).delete("outbox", action.key);
      const result = { action, status: response.status, body, alreadyDone: alreadyDone(action, response.status, body) };
      results.push(result);
      announce({ type: "sent", result });
    }
    return results;
  };
  // One replay at a time across the page and the worker (the Web Locks API is in both).
  if ("locks" in navigator) return navigator.locks.request("hallpass-outbox", run);
  return run();
}

function errorCode(body: unknown): string | undefined {
  return (body as { error?: { code?: string } } | null)?.error?.code;
}

export type OutboxMessage =
  | { type: "queued"; key: string }
  | { type: "sent"; result: ReplayResult }
  | { type: "cleared" };

function announce(message: OutboxMessage): void {
  const channel = new BroadcastChannel(OUTBOX_CHANNEL);
  channel.postMessage(message);
  channel.close();
}
