// A "Pass request" notice goes once the request is decided, wherever it was decided.
import type { Notification, PassState } from "../api/types";

// Notices that ask the reader to decide a request: stale once it is approved, denied or cancelled.
const ASKING: ReadonlySet<Notification["category"]> = new Set(["room_request", "counselor_request"]);

/** The notices left once a pass is no longer waiting for a decision (the same list if none go). */
export function withoutDecided<T extends { pass_id?: number | null; category?: Notification["category"] }>(
  toasts: T[],
  pass: { id: number; state: PassState },
): T[] {
  if (pass.state === "pending") return toasts;
  const kept = toasts.filter((t) => !(t.pass_id === pass.id && t.category !== undefined && ASKING.has(t.category)));
  return kept.length === toasts.length ? toasts : kept;
}
