// What the admin screen knows of each kind of provider: its usual issuer and name, and where
// its settings are found (docs/sso.md says the same at length).
import type { SsoKind } from "../../../api/types";

export interface Preset {
  /** The kind's name in the list. */
  words: string;
  /** The button's words after "Sign in with". */
  label: string;
  /** The issuer URL to start from ("" when every school's is its own). */
  issuer: string;
  /** Where to find the issuer and the client, in a line. */
  hint: string;
}

export const PRESETS: Record<SsoKind, Preset> = {
  google: {
    words: "Google Workspace",
    label: "Google",
    issuer: "https://accounts.google.com",
    hint: "Google Cloud console › APIs & Services › Credentials: an OAuth client ID of type Web application. Set allowed domains to your school's, or any Google account can try.",
  },
  microsoft: {
    words: "Microsoft 365 (Entra ID)",
    label: "Microsoft",
    issuer: "https://login.microsoftonline.com/TENANT-ID/v2.0",
    hint: "Replace TENANT-ID with the Directory (tenant) ID of your app registration in Entra ID (Overview page).",
  },
  classlink: {
    words: "ClassLink",
    label: "ClassLink",
    issuer: "https://launchpad.classlink.com",
    hint: "ClassLink Management Console › SSO Library: an OpenID Connect app. Rostered students can match by their OneRoster sourcedId.",
  },
  oidc: {
    words: "Other OpenID Connect",
    label: "your school",
    issuer: "",
    hint: "The issuer URL: the address before /.well-known/openid-configuration.",
  },
};

export const KIND_OPTIONS = (Object.keys(PRESETS) as SsoKind[]).map((kind) => [kind, PRESETS[kind].words] as const);

export const MATCH_OPTIONS = [
  ["email", "E-mail address"],
  ["sourced_id", "OneRoster sourcedId"],
] as const;

/** What a sign-in attempt's outcome means, in a few words. */
export function outcomeWords(outcome: string): string {
  if (outcome === "ok") return "Signed in";
  return outcome.replace(/^sso_/, "").replace(/_/g, " ");
}
