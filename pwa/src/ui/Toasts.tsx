// In-app notices (the `notification` frame): tap to open what they are about.
import { dismissToast, toasts } from "../live/store";
import { navigate } from "../router";

/** The stack of notices, newest last; urgent ones are announced at once. */
export function Toasts() {
  return (
    <div class="toasts" aria-live="polite">
      {toasts.value.map((toast) => (
        <div
          key={toast.id}
          class={`toast${toast.urgency === "high" ? " toast--urgent" : ""}`}
          role={toast.urgency === "high" ? "alert" : "status"}
        >
          <button
            type="button"
            class="toast__body"
            onClick={() => {
              dismissToast(toast.id);
              navigate(toast.url);
            }}
          >
            <strong>{toast.title}</strong>
            <span>{toast.body}</span>
          </button>
          <button type="button" class="toast__close" aria-label="Dismiss" onClick={() => dismissToast(toast.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
