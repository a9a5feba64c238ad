// Sign in: the school's accounts (single sign-on buttons, when the school has providers), and an
// e-mail address (staff) or a student number with a password. A school without providers (the
// demo) sees the password form alone, as it always did.
import { useEffect, useState } from "preact/hooks";
import { ApiError } from "../api/client";
import type { SsoProvider } from "../api/types";
import { signIn } from "../live/store";
import { path, query } from "../router";
import { CodeSignIn } from "./CodeSignIn";
import { signInMessage } from "./signin/message";
import { SignInProblem } from "./signin/SignInProblem";
import { SsoButtons } from "./signin/SsoButtons";
import { loadProviders, rememberedSchool, rememberSchool, returnPath, type SchoolChoice, schoolsOf, SIGN_IN_PATH } from "./signin/sso";

/** The sign-in page, or the page that says why a single sign-on did not work. */
export function Login() {
  const params = new URLSearchParams(query.value);
  const problem = path.value === SIGN_IN_PATH ? params.get("problem") : null;
  if (problem) return <SignInProblem code={problem} providerKey={params.get("provider")} />;
  return <SignInPage />;
}

/** What the sign-in page offers besides the password form. */
interface Offer {
  providers: SsoProvider[];
  passwordSignIn: boolean;
  /** The school the buttons are for (a link's `?school=`, the one chosen here before). */
  school: string | null;
  /** The schools to choose from, when the deployment lists several schools' providers. */
  schools: SchoolChoice[];
  /** A school a link named that this server doesn't know. */
  unknownSchool: string | null;
}

const NO_OFFER: Offer = { providers: [], passwordSignIn: true, school: null, schools: [], unknownSchool: null };

/** Find the providers for the school named by the link, chosen before, or (else) any. */
async function findOffer(school: string | null): Promise<Offer> {
  try {
    const found = await loadProviders(school);
    const schools = school ? [] : schoolsOf(found.providers);
    // One school has providers: its buttons, and whether its students may use a password.
    if (schools.length === 1) return await findOffer(schools[0].slug);
    // Several schools list providers: show the district's now, a school's once it is chosen.
    const providers = schools.length > 1 ? found.providers.filter((p) => !p.school) : found.providers;
    return { providers, passwordSignIn: found.password_sign_in, school, schools: schools.length > 1 ? schools : [], unknownSchool: null };
  } catch (error) {
    if (school && error instanceof ApiError && error.status === 404) {
      return { ...(await findOffer(null)), unknownSchool: school };
    }
    return NO_OFFER; // offline or an older server: the password form still works
  }
}

/** The sign-in page: single sign-on buttons (if any) above the password form. */
function SignInPage() {
  // The door kiosk is a device account: its screen signs in with a password, never a person's SSO.
  const kiosk = path.value.startsWith("/kiosk");
  const linked = new URLSearchParams(query.value).get("school");
  const [wanted, setWanted] = useState<string | null>(() => (kiosk ? null : linked || rememberedSchool()));
  const [offer, setOffer] = useState<Offer>(NO_OFFER);

  useEffect(() => {
    if (kiosk) return;
    let current = true;
    void findOffer(wanted).then((found) => {
      if (!current) return;
      setOffer(found);
      if (found.unknownSchool) rememberSchool(null);
      else if (wanted) rememberSchool(wanted);
    });
    return () => {
      current = false;
    };
  }, [wanted, kiosk]);

  const sso = offer.providers.length > 0 || offer.schools.length > 0;
  const schoolName = offer.providers.find((p) => p.school?.slug === offer.school)?.school?.name;
  // One tree whether or not there are buttons: when they arrive, the password form stays the same
  // form, and what was typed (or autofilled) into it is kept. Without them the wrapper is
  // `display: contents`, and the page is the card it always was.
  return (
    <main class="login" id="main">
      <div class={sso ? "card login__card" : "login__bare"}>
        {sso && <img src="/icons/icon.svg" alt="" width={56} height={56} />}
        {sso && <h1 id="login-title">Sign in to Hallpass</h1>}
        {offer.unknownSchool && (
          <p class="notice notice--warn" role="alert">
            This link names a school this Hallpass doesn't know ({offer.unknownSchool}). Choose your school, or sign in with a password.
          </p>
        )}
        {offer.schools.length > 0 && <SchoolPicker schools={offer.schools} onPick={setWanted} />}
        {wanted && offer.school && (
          <p class="login__school muted">
            <span>{schoolName ?? offer.school}</span>
            <button type="button" class="btn btn--plain login__change" onClick={() => setWanted(null)}>
              Change school
            </button>
          </p>
        )}
        {offer.providers.length > 0 && <SsoButtons providers={offer.providers} school={offer.school} returnTo={returnPath()} />}
        {!offer.passwordSignIn && (
          <p class="notice login__students" id="students-use-button">
            Students sign in with the button above. Staff can still use their password below.
          </p>
        )}
        {sso && (
          <p class="login__or" aria-hidden="true">
            <span>or with a password</span>
          </p>
        )}
        <PasswordForm card={!sso} />
      </div>
      {!kiosk && <CodeSignIn />}
    </main>
  );
}

/** Choose a school, when the deployment lists several schools' providers. */
function SchoolPicker({ schools, onPick }: { schools: readonly SchoolChoice[]; onPick: (slug: string) => void }) {
  return (
    <>
      <label for="sign-in-school">Your school</label>
      <select id="sign-in-school" value="" onChange={(e) => e.currentTarget.value && onPick(e.currentTarget.value)}>
        <option value="">Choose your school…</option>
        {schools.map((s) => (
          <option key={s.slug} value={s.slug}>
            {s.name}
          </option>
        ))}
      </select>
    </>
  );
}

/** The password form: on its own card (no providers), or under the buttons. */
function PasswordForm({ card }: { card: boolean }) {
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
      setError(signInMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      class={card ? "card login__card" : "login__password"}
      onSubmit={(event) => void submit(event)}
      aria-labelledby={card ? "login-title" : undefined}
    >
      {card && <img src="/icons/icon.svg" alt="" width={56} height={56} />}
      {card && <h1 id="login-title">Sign in to Hallpass</h1>}
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
  );
}
