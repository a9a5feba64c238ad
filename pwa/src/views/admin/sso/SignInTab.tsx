// The Sign-in tab: the school's single sign-on providers (add, change, remove), whether students
// may still use a password, the redirect URI to give each provider, and the log of attempts.
import { useEffect, useState } from "preact/hooks";
import { call } from "../../../api/client";
import type { SchoolSettings, SignInAttempt, SsoProviderAdmin, SsoSettings } from "../../../api/types";
import { ActionButton, messageOf } from "../../../ui/Button";
import { ConfirmBox } from "../../../ui/ConfirmBox";
import { problemWords } from "../../signin/sso";
import { FormMessage } from "../Field";
import { MATCH_OPTIONS, PRESETS } from "./presets";
import { ProviderForm } from "./ProviderForm";
import "./sso.css";

const WHEN = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const PAGE = 50;

/** The Sign-in tab. */
export function SignInTab() {
  const [settings, setSettings] = useState<SsoSettings | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attemptsVersion, setAttemptsVersion] = useState(0);

  async function reload() {
    setSettings(await call<SsoSettings>("GET", "/api/sso/settings"));
  }

  useEffect(() => {
    void reload().catch((e) => setError(messageOf(e)));
  }, []);

  if (settings === null) {
    return <div class="card">{error ? <FormMessage text={error} /> : <p class="muted">Loading…</p>}</div>;
  }
  return (
    <div class="stack sso-admin">
      <div class="grid grid--2">
        <PasswordSwitch settings={settings} onChanged={setSettings} />
        <RedirectUri uri={settings.redirect_uri} />
      </div>
      <Providers settings={settings} onChanged={() => void reload().catch((e) => setError(messageOf(e)))} />
      <Attempts version={attemptsVersion} onRefresh={() => setAttemptsVersion((v) => v + 1)} />
    </div>
  );
}

/** "Students sign in with a password": on for the demo and schools without SSO. */
function PasswordSwitch({ settings, onChanged }: { settings: SsoSettings; onChanged: (s: SsoSettings) => void }) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ good: boolean; text: string } | null>(null);
  // The switch moves at once (as a switch does) and moves back if the server refuses.
  const [on, setOn] = useState(settings.password_sign_in_students);
  const enabled = settings.providers.filter((p) => p.enabled).length;

  async function flip(next: boolean) {
    setBusy(true);
    setOn(next);
    setMessage(null);
    try {
      const school = await call<SchoolSettings>("PATCH", "/api/school", { body: { password_sign_in_students: next } });
      onChanged({ ...settings, password_sign_in_students: school.password_sign_in_students });
      setMessage({
        good: true,
        text: next ? "Students can sign in with a password again." : "Students now sign in with the school's accounts only.",
      });
    } catch (caught) {
      setOn(!next);
      setMessage({ good: false, text: messageOf(caught) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card" aria-labelledby="password-title">
      <h2 id="password-title">Passwords</h2>
      <label class="check sso-switch">
        <input type="checkbox" role="switch" checked={on} disabled={busy} aria-describedby="password-hint" onChange={(e) => void flip(e.currentTarget.checked)} />
        Students sign in with a password
      </label>
      <p id="password-hint" class="field__hint">
        Off: students use the sign-in buttons; a student's password is refused even when it is right. Staff and door kiosks keep
        their passwords.
      </p>
      {!on && enabled === 0 && (
        <p class="notice notice--warn" role="alert">
          No provider is enabled: students cannot sign in at all until one is, or passwords are back on.
        </p>
      )}
      <FormMessage text={message?.text ?? null} good={message?.good} />
    </section>
  );
}

/** The redirect URI to register at every provider, with a button that copies it. */
function RedirectUri({ uri }: { uri: string }) {
  const [copied, setCopied] = useState<string | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(uri);
      setCopied("Copied.");
    } catch {
      // No clipboard (an insecure origin, a refused permission): select it for Ctrl+C instead.
      (document.getElementById("sso-redirect") as HTMLInputElement | null)?.select();
      setCopied("Selected: press Ctrl+C to copy.");
    }
  }
  return (
    <section class="card" aria-labelledby="redirect-title">
      <h2 id="redirect-title">Redirect URI</h2>
      <label for="sso-redirect">Give each provider this address as the app's redirect (callback) URI</label>
      <div class="sso-copy">
        <input id="sso-redirect" readOnly value={uri} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" class="btn" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p class="notice notice--good sso-copy__done" role="status">
        {copied}
      </p>
    </section>
  );
}

/** The providers, one card each, and the form to add one. */
function Providers({ settings, onChanged }: { settings: SsoSettings; onChanged: () => void }) {
  const [editing, setEditing] = useState<number | "new" | null>(null);
  const [deleting, setDeleting] = useState<number | null>(null);
  const [message, setMessage] = useState<{ good: boolean; text: string } | null>(null);

  function saved(words: string) {
    setEditing(null);
    setMessage({ good: true, text: words });
    onChanged();
  }

  async function remove(provider: SsoProviderAdmin) {
    await call("DELETE", `/api/sso/providers/${provider.id}`);
    setDeleting(null);
    setMessage({ good: true, text: `${provider.label} removed: its button is gone from the sign-in page.` });
    onChanged();
  }

  return (
    <section class="stack" aria-labelledby="providers-title">
      <div class="admin__head">
        <h2 id="providers-title">Sign-in providers</h2>
        {editing !== "new" && (
          <button type="button" class="btn btn--primary" onClick={() => setEditing("new")}>
            Add a provider
          </button>
        )}
      </div>
      <FormMessage text={message?.text ?? null} good={message?.good} />
      {editing === "new" && (
        <div class="card">
          <h3>New provider</h3>
          <ProviderForm provider={null} onSaved={(p) => saved(`${p.label} added.`)} onCancel={() => setEditing(null)} />
        </div>
      )}
      {settings.providers.length === 0 && editing !== "new" && (
        <p class="card muted">No provider yet: everyone signs in with a password. Add your school's Google, Microsoft or ClassLink.</p>
      )}
      <ul class="cards" aria-label="Sign-in providers">
        {settings.providers.map((provider) => (
          <li key={provider.id} class={`card sso-provider${provider.enabled ? "" : " sso-provider--off"}`} data-provider-id={provider.id}>
            <h3>
              {provider.label}
              {provider.label !== PRESETS[provider.kind].label && <span class="muted"> · {PRESETS[provider.kind].words}</span>}{" "}
              {!provider.enabled && <span class="badge badge--offline">Off</span>}
              {provider.scope === "district" && <span class="badge">District</span>}
            </h3>
            {editing === provider.id ? (
              <ProviderForm provider={provider} onSaved={(p) => saved(`${p.label} saved.`)} onCancel={() => setEditing(null)} />
            ) : (
              <>
                <dl class="facts">
                  <dt>Issuer</dt>
                  <dd>{provider.issuer}</dd>
                  <dt>Client ID</dt>
                  <dd>{provider.client_id}</dd>
                  <dt>Secret</dt>
                  <dd data-field="secret">
                    {provider.secret_set ? "Set" : provider.client_secret_env ? `From ${provider.client_secret_env}` : "Not set"}
                  </dd>
                  <dt>Domains</dt>
                  <dd>{provider.allowed_domains.length ? provider.allowed_domains.join(", ") : "Any"}</dd>
                  <dt>Finds users by</dt>
                  <dd>
                    {MATCH_OPTIONS.find(([k]) => k === provider.match_claim)?.[1] ?? provider.match_claim}
                    {provider.match_claim === "sourced_id" && provider.sourced_id_claim ? ` (claim ${provider.sourced_id_claim})` : ""}
                  </dd>
                  <dt>New accounts</dt>
                  <dd>{provider.create_users ? "Created at first sign-in" : "Never: unknown accounts are refused"}</dd>
                  <dt>Link name</dt>
                  <dd>{provider.key}</dd>
                </dl>
                {deleting === provider.id ? (
                  <ConfirmBox
                    label={`Remove ${provider.label}?`}
                    yes={`Yes, remove ${provider.label}`}
                    no="Keep it"
                    run={() => remove(provider)}
                    onCancel={() => setDeleting(null)}
                    onError={(text) => setMessage({ good: false, text })}
                  >
                    <strong>Remove {provider.label}?</strong> Its button leaves the sign-in page; people signed in stay signed in.
                  </ConfirmBox>
                ) : (
                  <div class="btn-row">
                    <button type="button" class="btn" aria-label={`Edit ${provider.label}`} onClick={() => setEditing(provider.id)}>
                      Edit
                    </button>
                    <button type="button" class="btn btn--danger" aria-label={`Remove ${provider.label}`} onClick={() => setDeleting(provider.id)}>
                      Remove
                    </button>
                  </div>
                )}
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The school's sign-in attempts, newest first, a page at a time. */
function Attempts({ version, onRefresh }: { version: number; onRefresh: () => void }) {
  const [rows, setRows] = useState<SignInAttempt[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function load(offset: number) {
    const page = await call<SignInAttempt[]>("GET", `/api/sso/attempts?limit=${PAGE}&offset=${offset}`);
    setRows((old) => (offset === 0 ? page : [...(old ?? []), ...page]));
    setMore(page.length === PAGE);
    setError(null);
  }

  useEffect(() => {
    void load(0).catch((e) => setError(messageOf(e)));
  }, [version]);

  return (
    <section class="card stack" aria-labelledby="attempts-title">
      <div class="admin__head">
        <h2 id="attempts-title">Sign-in attempts</h2>
        <button type="button" class="btn" onClick={onRefresh}>
          Refresh
        </button>
      </div>
      <FormMessage text={error} />
      {rows === null ? (
        !error && <p class="muted">Loading…</p>
      ) : rows.length === 0 ? (
        <p class="muted">No one has signed in with a provider yet.</p>
      ) : (
        <div class="table-wrap table-wrap--tall" role="region" aria-labelledby="attempts-caption" tabIndex={0}>
          <table class="table table--cards sso-attempts">
            <caption id="attempts-caption" class="visually-hidden">
              Sign-in attempts, newest first
            </caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Result</th>
                <th scope="col">E-mail</th>
                <th scope="col">Provider</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => (
                <tr key={a.id} data-outcome={a.outcome}>
                  <th scope="row">{WHEN.format(new Date(a.at))}</th>
                  <td>
                    <span class={`badge ${a.outcome === "ok" ? "badge--active" : "badge--denied"}`}>
                      {a.outcome === "ok" ? "Signed in" : problemWords(a.outcome).title}
                    </span>
                  </td>
                  <td>{a.email ?? "—"}</td>
                  <td>{a.provider_key ?? "—"}</td>
                  <td>{a.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {more && (
        <ActionButton run={() => load(rows?.length ?? 0)} onError={setError}>
          Show older attempts
        </ActionButton>
      )}
    </section>
  );
}
