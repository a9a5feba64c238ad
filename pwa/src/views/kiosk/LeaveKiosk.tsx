// "Leave kiosk mode": a shared screen at a door must not be signed out by a student's tap, so
// leaving takes a teacher's, admin's or hall monitor's own e-mail and password (POST
// /api/kiosk/leave). A modal <dialog>: focus stays in it, Escape cancels.
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { ApiError, call } from "../../api/client";
import { signOut } from "../../live/store";
import { messageOf } from "../../ui/Button";
import { clearQueue } from "../../../service-worker/queue";
import "./kiosk.css";

/** The header's "Leave kiosk mode" button and the staff sign-in it opens. */
export default function LeaveKiosk() {
  const [open, setOpen] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const close = () => {
    setOpen(false);
    opener.current?.focus();
  };
  return (
    <>
      <button
        ref={opener}
        type="button"
        class="btn btn--plain"
        aria-haspopup="dialog"
        aria-expanded={open}
        onClick={() => setOpen(true)}
      >
        Leave kiosk mode
      </button>
      {open && <StaffSignIn onCancel={close} />}
    </>
  );
}

function StaffSignIn({ onCancel }: { onCancel: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  // showModal makes the rest of the page inert and focuses the first field.
  useLayoutEffect(() => {
    const shown = dialog.current;
    if (shown && !shown.open) shown.showModal();
    return () => shown?.close();
  }, []);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError("");
    try {
      await call("POST", "/api/kiosk/leave", { body: { email, password } });
      await clearQueue().catch(() => undefined);
      await signOut(false); // the server ended the session already
    } catch (caught) {
      setPassword("");
      setError(leaveProblem(caught));
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={dialog}
      class="card leave-kiosk"
      aria-labelledby="leave-kiosk-title"
      aria-describedby="leave-kiosk-why"
      onCancel={(event) => {
        event.preventDefault(); // Escape: close through our own state, focus back on the button
        onCancel();
      }}
    >
      <form class="stack" onSubmit={(event) => void submit(event)}>
        <h2 id="leave-kiosk-title">Leave kiosk mode</h2>
        <p id="leave-kiosk-why" class="muted">
          A teacher, admin or hall monitor of this school signs in to take this screen out of kiosk mode.
        </p>
        <label for="leave-kiosk-email">Staff e-mail</label>
        <input
          id="leave-kiosk-email"
          name="email"
          autocomplete="off"
          autocapitalize="none"
          spellcheck={false}
          required
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
        <label for="leave-kiosk-password">Password</label>
        <input
          id="leave-kiosk-password"
          name="password"
          type="password"
          autocomplete="off"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <p class="form-error" role="alert">
          {error}
        </p>
        <div class="btn-row">
          <button class="btn btn--primary" type="submit" disabled={busy} aria-busy={busy}>
            {busy ? "Checking…" : "Leave kiosk mode"}
          </button>
          <button class="btn" type="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** Say why the kiosk stays, without telling whether the e-mail is anyone's. */
function leaveProblem(error: unknown): string {
  if (error instanceof ApiError && error.code === "invalid_credentials") {
    return "That is not a staff e-mail and password of this school. The kiosk stays on.";
  }
  return messageOf(error);
}
