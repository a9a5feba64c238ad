// Sign in: an e-mail address (staff) or a student number, and a password.
import { useState } from "preact/hooks";
import { ApiError } from "../api/client";
import { signIn } from "../live/store";
import { messageOf } from "../ui/Button";
import { CodeSignIn } from "./CodeSignIn";

/** The sign-in form. */
export function Login() {
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(login.trim(), password);
    } catch (caught) {
      setError(
        caught instanceof ApiError && caught.code === "rate_limited" && caught.retryAfter
          ? `Too many tries. Wait ${Math.ceil(caught.retryAfter / 60)} min and try again.`
          : messageOf(caught),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="login" id="main">
      <form class="card login__card" onSubmit={(event) => void submit(event)} aria-labelledby="login-title">
        <img src="/icons/icon.svg" alt="" width={56} height={56} />
        <h1 id="login-title">Sign in to Hallpass</h1>
        <label for="login">Student number or e-mail</label>
        <input
          id="login"
          name="login"
          autocomplete="username"
          autocapitalize="none"
          spellcheck={false}
          required
          value={login}
          onInput={(e) => setLogin(e.currentTarget.value)}
        />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <p class="form-error" role="alert">
          {error}
        </p>
        <button class="btn btn--primary btn--wide" type="submit" disabled={busy} aria-busy={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <CodeSignIn />
    </main>
  );
}
