// "I have a substitute code": a substitute signs in with the one-day code a teacher or the
// office gave them (POST /api/session/code). Kept apart from the password form on purpose.
import { useState } from "preact/hooks";
import { signInWithCode } from "../live/store";
import { signInMessage } from "./signin/message";

/** A link that opens a one-field form for a substitute's code. */
export function CodeSignIn() {
  const [open, setOpen] = useState(false);
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signInWithCode(code.trim());
    } catch (caught) {
      setError(signInMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  if (!open)
    return (
      <p class="login__alt">
        <button type="button" class="btn btn--plain" onClick={() => setOpen(true)}>
          I have a substitute code
        </button>
      </p>
    );
  return (
    <form class="card login__card" onSubmit={(event) => void submit(event)} aria-labelledby="code-title">
      <h2 id="code-title">Substitute sign-in</h2>
      <label for="substitute-code">Substitute code</label>
      <input
        id="substitute-code"
        name="code"
        autocomplete="one-time-code"
        autocapitalize="characters"
        spellcheck={false}
        placeholder="XXXXX-XXXXX"
        required
        value={code}
        onInput={(e) => setCode(e.currentTarget.value)}
      />
      <p class="form-error" role="alert">
        {error}
      </p>
      <button class="btn btn--primary btn--wide" type="submit" disabled={busy} aria-busy={busy}>
        {busy ? "Signing in…" : "Sign in with code"}
      </button>
    </form>
  );
}
