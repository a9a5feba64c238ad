// Add or change a single sign-on provider. The client secret is write-only: the form says
// whether one is set and offers to replace it, and never shows it (the API never sends it).
import { useRef, useState } from "preact/hooks";
import { call } from "../../../api/client";
import type { SsoKind, SsoMatch, SsoProviderAdmin, SsoProviderCreate, SsoProviderPatch } from "../../../api/types";
import { me } from "../../../live/store";
import { FormActions, SelectField, TextField, useFocusInvalid } from "../Field";
import { NO_PROBLEMS, type Problems, problemsOf } from "../problems";
import { KIND_OPTIONS, MATCH_OPTIONS, PRESETS } from "./presets";

const SHOWN = [
  "kind",
  "key",
  "label",
  "issuer",
  "client_id",
  "client_secret",
  "client_secret_env",
  "scopes",
  "allowed_domains",
  "match_claim",
  "sourced_id_claim",
  "create_users",
  "enabled",
];

interface Draft {
  kind: SsoKind;
  key: string;
  label: string;
  issuer: string;
  client_id: string;
  client_secret_env: string;
  scopes: string;
  allowed_domains: string;
  match_claim: SsoMatch;
  sourced_id_claim: string;
  create_users: boolean;
  enabled: boolean;
}

function draftOf(provider: SsoProviderAdmin | null): Draft {
  const kind = provider?.kind ?? "google";
  return {
    kind,
    key: provider?.key ?? suggestedKey(kind),
    label: provider?.label ?? PRESETS[kind].label,
    issuer: provider?.issuer ?? PRESETS[kind].issuer,
    client_id: provider?.client_id ?? "",
    client_secret_env: provider?.client_secret_env ?? "",
    scopes: provider?.scopes ?? "openid email profile",
    allowed_domains: (provider?.allowed_domains ?? []).join(", "),
    match_claim: provider?.match_claim ?? "email",
    sourced_id_claim: provider?.sourced_id_claim ?? "",
    create_users: provider?.create_users ?? false,
    enabled: provider?.enabled ?? true,
  };
}

/** A provider's key is unique in the deployment: start from the school's slug and the kind. */
function suggestedKey(kind: SsoKind): string {
  const slug = me.value?.school.slug ?? "school";
  return `${slug}-${kind}`;
}

/** "a.org, b.org c.org" as the list the API takes. */
export function domainList(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((d) => d.trim().toLowerCase().replace(/^@/, ""))
    .filter(Boolean);
}

/** The writable fields a draft stands for, as the API takes them. */
function bodyOf(draft: Draft): SsoProviderCreate {
  return {
    kind: draft.kind,
    key: draft.key.trim(),
    label: draft.label.trim(),
    issuer: draft.issuer.trim(),
    client_id: draft.client_id.trim(),
    client_secret_env: draft.client_secret_env.trim() || null,
    scopes: draft.scopes.trim(),
    allowed_domains: domainList(draft.allowed_domains),
    match_claim: draft.match_claim,
    sourced_id_claim: draft.match_claim === "sourced_id" ? draft.sourced_id_claim.trim() || null : null,
    create_users: draft.create_users,
    enabled: draft.enabled,
  };
}

/** The form for one provider (`provider` null: a new one); calls onSaved with the server's answer. */
export function ProviderForm({
  provider,
  onSaved,
  onCancel,
}: {
  provider: SsoProviderAdmin | null;
  onSaved: (p: SsoProviderAdmin) => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(provider));
  // The secret typed here: null means "leave it as it is".
  const [secret, setSecret] = useState<string | null>(provider?.secret_set ? null : "");
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusInvalid(formRef, problems);
  const id = (name: string) => `sso-${provider?.id ?? "new"}-${name}`;
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  function chooseKind(kind: SsoKind) {
    setDraft((d) => {
      const was = PRESETS[d.kind];
      // A preset fills what still holds the previous kind's preset (or nothing): never what was typed.
      return {
        ...d,
        kind,
        issuer: d.issuer === "" || d.issuer === was.issuer ? PRESETS[kind].issuer : d.issuer,
        label: d.label === "" || d.label === was.label ? PRESETS[kind].label : d.label,
        key: !provider && d.key === suggestedKey(d.kind) ? suggestedKey(kind) : d.key,
      };
    });
  }

  async function submit(event: Event) {
    event.preventDefault();
    const full = bodyOf(draft);
    setBusy(true);
    setProblems(NO_PROBLEMS);
    try {
      let saved: SsoProviderAdmin;
      if (provider) {
        // Only what changed: the server changes only the fields sent.
        const was = bodyOf(draftOf(provider));
        const patch: SsoProviderPatch = {};
        for (const key of Object.keys(full) as (keyof SsoProviderCreate)[]) {
          if (JSON.stringify(was[key]) !== JSON.stringify(full[key])) Object.assign(patch, { [key]: full[key] });
        }
        if (secret !== null) patch.client_secret = secret;
        saved = Object.keys(patch).length ? await call<SsoProviderAdmin>("PATCH", `/api/sso/providers/${provider.id}`, { body: patch }) : provider;
      } else {
        saved = await call<SsoProviderAdmin>("POST", "/api/sso/providers", { body: secret ? { ...full, client_secret: secret } : full });
      }
      onSaved(saved);
    } catch (error) {
      setProblems(problemsOf(error, SHOWN));
    } finally {
      setBusy(false);
    }
  }

  const f = problems.fields;
  const preset = PRESETS[draft.kind];
  return (
    <form ref={formRef} class="admin-form" onSubmit={(event) => void submit(event)} noValidate aria-label={provider ? `Edit ${provider.label}` : "New sign-in provider"}>
      <div class="admin-form__grid">
        <SelectField id={id("kind")} label="Kind" value={draft.kind} options={KIND_OPTIONS} onChange={chooseKind} error={f.kind} />
        <TextField id={id("label")} label="Button label" value={draft.label} onInput={(v) => set("label", v)} error={f.label} hint="The button reads “Sign in with” and this." required />
      </div>
      <TextField id={id("issuer")} label="Issuer URL" type="url" value={draft.issuer} onInput={(v) => set("issuer", v)} error={f.issuer} hint={preset.hint} required />
      <div class="admin-form__grid">
        <TextField id={id("client_id")} label="Client ID" value={draft.client_id} onInput={(v) => set("client_id", v)} error={f.client_id} autocomplete="off" required />
        <SecretField
          id={id("client_secret")}
          isSet={!!provider?.secret_set}
          value={secret}
          onChange={setSecret}
          error={f.client_secret}
        />
      </div>
      <TextField
        id={id("allowed_domains")}
        label="Allowed e-mail domains"
        value={draft.allowed_domains}
        onInput={(v) => set("allowed_domains", v)}
        error={f.allowed_domains}
        placeholder="lincoln.k12.example.us"
        hint="Separated by commas. Accounts of any other domain are refused. Empty: any domain."
      />
      <div class="admin-form__grid">
        <SelectField
          id={id("match_claim")}
          label="Find the Hallpass user by"
          value={draft.match_claim}
          options={MATCH_OPTIONS}
          onChange={(v) => set("match_claim", v)}
          error={f.match_claim}
          hint="sourcedId: rostered users, by the OneRoster import's ids."
        />
        {draft.match_claim === "sourced_id" && (
          <TextField
            id={id("sourced_id_claim")}
            label="Claim with the sourcedId"
            value={draft.sourced_id_claim}
            onInput={(v) => set("sourced_id_claim", v)}
            error={f.sourced_id_claim}
            placeholder="sourcedId"
          />
        )}
      </div>
      <label class="check">
        <input type="checkbox" checked={draft.create_users} onChange={(e) => set("create_users", e.currentTarget.checked)} />
        Create a Hallpass account for someone who signs in and has none
      </label>
      {f.create_users && <p class="field__error">{f.create_users}</p>}
      <label class="check">
        <input type="checkbox" checked={draft.enabled} onChange={(e) => set("enabled", e.currentTarget.checked)} />
        Enabled: show its button on the sign-in page
      </label>
      {f.enabled && <p class="field__error">{f.enabled}</p>}
      <details class="sso-form__more" open={!!(f.key || f.scopes || f.client_secret_env)}>
        <summary>More settings</summary>
        <div class="admin-form__grid">
          <TextField id={id("key")} label="Name in its links" value={draft.key} onInput={(v) => set("key", v)} error={f.key} hint="Letters, digits and dashes; unique in this Hallpass." />
          <TextField id={id("scopes")} label="Scopes" value={draft.scopes} onInput={(v) => set("scopes", v)} error={f.scopes} />
          <TextField
            id={id("client_secret_env")}
            label="Or read the secret from"
            value={draft.client_secret_env}
            onInput={(v) => set("client_secret_env", v)}
            error={f.client_secret_env}
            placeholder="HALLPASS_SSO_SECRET_GOOGLE"
            hint="An environment variable of the server, for IT teams who keep secrets there."
          />
        </div>
      </details>
      <FormActions message={problems.general} submit={provider ? "Save changes" : "Add provider"} busy={busy} onCancel={onCancel} />
    </form>
  );
}

/** The client secret: "set" with a Replace button, or an empty password field; never the value. */
function SecretField({
  id,
  isSet,
  value,
  onChange,
  error,
}: {
  id: string;
  isSet: boolean;
  value: string | null;
  onChange: (v: string | null) => void;
  error: string | undefined;
}) {
  if (value === null) {
    return (
      <div class="field">
        <span class="field__label" id={`${id}-label`}>
          Client secret
        </span>
        <p class="sso-secret">
          <span class="badge badge--active" data-secret="set">
            Set
          </span>
          <button type="button" class="btn" aria-describedby={`${id}-label`} onClick={() => onChange("")}>
            Replace
          </button>
        </p>
      </div>
    );
  }
  return (
    <div>
      <TextField
        id={id}
        label="Client secret"
        type="password"
        autocomplete="new-password"
        value={value}
        onInput={onChange}
        error={error}
        hint={isSet ? "Type the new secret; leave empty to remove it." : "Stored sealed; never shown again."}
      />
      {isSet && (
        <button type="button" class="btn btn--plain" onClick={() => onChange(null)}>
          Keep the current secret
        </button>
      )}
    </div>
  );
}
