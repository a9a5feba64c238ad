// Pass actions as the views use them: sent at once when online, queued offline with their
// idempotency key, and replayed when the connection is back.
import { signal } from "@preact/signals";
import {
  enqueue,
  OUTBOX_CHANNEL,
  type OutboxMessage,
  passOf,
  type QueuedAction,
  queued,
  replay,
  SYNC_TAG,
} from "../../service-worker/queue";
import { keepPass, me, showToast } from "../live/store";
import { ApiError, call, csrf, NetworkError, newKey } from "./client";
import type { Pass, Verb } from "./types";

/** Actions made offline and not yet sent, oldest first (for "pending offline" rows). */
export const outbox = signal<QueuedAction[]>([]);

export type Outcome = { kind: "done"; pass: Pass } | { kind: "queued"; action: QueuedAction };

/** Ask for a pass (a student to a destination; staff may name the student and a start time). */
export function requestPass(
  body: { destination_id: number; student_id?: number; start_at?: string; minutes?: number },
  label: string,
): Promise<Outcome> {
  const key = newKey();
  return send("/api/passes", { ...body, idempotency_key: key }, key, label);
}

/** The verb waiting offline for a pass, if any (its card says "Ending · will send when online"). */
export function queuedFor(passId: number): QueuedAction | undefined {
  return outbox.value.find((a) => passOf(a.path) === passId);
}

/** Move a pass on (approve, deny, end, ...); the same key makes a replay harmless. */
export function act(pass: Pass, verb: Verb, label: string, body: object = {}): Promise<Outcome> {
  // A verb already waits for this pass: a second tap queues nothing more (queue.ts::enqueue).
  const waiting = queuedFor(pass.id);
  if (waiting) return Promise.resolve({ kind: "queued", action: waiting });
  return send(`/api/passes/${pass.id}/${verb}`, body, newKey(), label);
}

async function send(path: string, body: object, key: string, label: string): Promise<Outcome> {
  try {
    const pass = await call<Pass>("POST", path, { body, idempotencyKey: key });
    keepPass(pass);
    return { kind: "done", pass };
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
    const user = me.value;
    if (!user) throw error;
    const action: QueuedAction = {
      key,
      method: "POST",
      path,
      body,
      csrf: csrf(),
      label,
      userId: user.id,
      queuedAt: Date.now(),
    };
    const kept = await enqueue(action);
    // Shown at once, before the queue is re-read (the card's "will send when online").
    if (!outbox.value.some((a) => a.key === kept.key)) outbox.value = [...outbox.value, kept];
    await refreshOutbox();
    await askForSync();
    return { kind: "queued", action: kept };
  }
}

async function askForSync(): Promise<void> {
  // Background Sync is not in TypeScript's DOM types: a registration may have it.
  const registration: (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }) | undefined =
    await navigator.serviceWorker?.getRegistration();
  await registration?.sync?.register(SYNC_TAG).catch(() => undefined);
}

/** Re-read the queue (it is shared with the service worker and other tabs). */
export async function refreshOutbox(): Promise<void> {
  const user = me.value;
  outbox.value = user ? (await queued()).filter((a) => a.userId === user.id) : [];
}

/** Send what was queued offline; report refusals, since the user was told it would be sent. */
export async function flushOutbox(): Promise<void> {
  if (outbox.value.length === 0) await refreshOutbox();
  if (outbox.value.length === 0) return;
  await replay(csrf());
  await refreshOutbox();
}

function reportResult(message: OutboxMessage): void {
  if (message.type !== "sent") {
    void refreshOutbox();
    return;
  }
  const { action, status, body, alreadyDone } = message.result;
  if (status < 300) {
    keepPass(body as Pass);
  } else if (!alreadyDone) {
    const error = (body as { error?: { message?: string } } | null)?.error;
    showToast({
      id: -Date.now(),
      title: `Not sent: ${action.label}`,
      body: error?.message ?? `The server refused it (${status}).`,
      url: "/",
      tag: `outbox-${action.key}`,
      urgency: "high",
    });
  }
  void refreshOutbox();
}

new BroadcastChannel(OUTBOX_CHANNEL).onmessage = (event: MessageEvent<OutboxMessage>) =>
  reportResult(event.data);

export { ApiError, NetworkError };
