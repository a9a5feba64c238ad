// Says plainly whether what is on screen is live: online, reconnecting or offline.
import { outbox } from "../api/actions";
import { connection, synced } from "../live/store";

const WORDS = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
} as const;

/** The connection indicator in the header, announced to screen readers when it changes. */
export function StatusBar() {
  const status = connection.value;
  const waiting = outbox.value.length;
  const stale = status !== "live" && synced.value;
  return (
    <div class={`status status--${status}`} role="status" aria-live="polite" data-status={status}>
      <span class="status__dot" aria-hidden="true" />
      <span class="status__words">{WORDS[status]}</span>
      {stale && <span class="status__note"> · showing the last known state</span>}
      {waiting > 0 && (
        <span class="status__note">
          {" "}
          · {waiting} {waiting === 1 ? "action" : "actions"} to send
        </span>
      )}
    </div>
  );
}
