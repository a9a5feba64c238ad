// "Notify me on this device": subscribes the browser to Web Push with the server's VAPID key.
import { useEffect, useState } from "preact/hooks";
import { call } from "../api/client";
import { messageOf } from "./Button";

type PushState = "unsupported" | "off" | "on" | "blocked" | "busy";

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const padded = base64url.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(base64url.length / 4) * 4, "=");
  const raw = atob(padded);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** Turn this device's notifications on (subscribe and register) or off (unsubscribe). */
export function PushToggle() {
  const [state, setState] = useState<PushState>("busy");
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
      setState("unsupported");
      return;
    }
    if (Notification.permission === "denied") {
      setState("blocked");
      return;
    }
    void navigator.serviceWorker.ready
      .then((registration) => registration.pushManager.getSubscription())
      .then((subscription) => setState(subscription ? "on" : "off"));
  }, []);

  async function turnOn() {
    setState("busy");
    setError(null);
    try {
      const registration = await navigator.serviceWorker.ready;
      const { public_key } = await call<{ public_key: string }>("GET", "/api/push/key");
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(public_key),
      });
      await call("POST", "/api/push/subscriptions", { body: subscription.toJSON() });
      setState("on");
    } catch (caught) {
      setState(Notification.permission === "denied" ? "blocked" : "off");
      setError(messageOf(caught));
    }
  }

  async function turnOff() {
    setState("busy");
    const registration = await navigator.serviceWorker.ready;
    const subscription = await registration.pushManager.getSubscription();
    if (subscription) {
      await call("DELETE", "/api/push/subscriptions", { body: { endpoint: subscription.endpoint } }).catch(() => undefined);
      await subscription.unsubscribe();
    }
    setState("off");
  }

  if (state === "unsupported") return null;
  return (
    <div class="push">
      {state === "blocked" ? (
        <p class="muted">Notifications are blocked for this site in the browser's settings.</p>
      ) : (
        <button
          type="button"
          class="btn btn--plain"
          aria-pressed={state === "on"}
          title={state === "on" ? "Notifications are on for this device" : "Turn on notifications for this device"}
          disabled={state === "busy"}
          onClick={() => void (state === "on" ? turnOff() : turnOn())}
        >
          {/* Short, for a phone's header; aria-pressed says whether it is on. */}
          {state === "on" ? "Notifying" : "Notify me"}
        </button>
      )}
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
