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

/** Keep an action to send when the network is back. */
export async function enqueue(action: QueuedAction): Promise<void> {
  await (await database).put("outbox", action);
  announce({ type: "queued", key: action.key });
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
      const result = { action, status: response.status, body };
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
