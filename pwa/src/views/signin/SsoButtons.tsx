// "Sign in with Google / Microsoft / ClassLink / your school": one link per provider, each a
// full-page navigation to the server's start URL (the provider's page comes next, not a fetch).
import type { SsoKind, SsoProvider } from "../../api/types";
import { startUrl } from "./sso";

/** The provider's mark: the brands' own for Google and Microsoft, a key for the rest. */
function Mark({ kind }: { kind: SsoKind }) {
  if (kind === "google") {
    return (
      <svg class="sso__mark" viewBox="0 0 48 48" aria-hidden="true" focusable="false">
        <path fill="#EA4335" d="M24 9.5c3.54 0 6.71 1.22 9.21 3.6l6.85-6.85C35.9 2.38 30.47 0 24 0 14.62 0 6.51 5.38 2.56 13.22l7.98 6.19C12.43 13.72 17.74 9.5 24 9.5z" />
        <path fill="#4285F4" d="M46.98 24.55c0-1.57-.15-3.09-.38-4.55H24v9.02h12.94c-.58 2.96-2.26 5.48-4.78 7.18l7.73 6c4.51-4.18 7.09-10.36 7.09-17.65z" />
        <path fill="#FBBC05" d="M10.53 28.59c-.48-1.45-.76-2.99-.76-4.59s.27-3.14.76-4.59l-7.98-6.19C.92 16.46 0 20.12 0 24c0 3.88.92 7.54 2.56 10.78l7.97-6.19z" />
        <path fill="#34A853" d="M24 48c6.48 0 11.93-2.13 15.89-5.81l-7.73-6c-2.15 1.45-4.92 2.3-8.16 2.3-6.26 0-11.57-4.22-13.47-9.91l-7.98 6.19C6.51 42.62 14.62 48 24 48z" />
      </svg>
    );
  }
  if (kind === "microsoft") {
    return (
      <svg class="sso__mark" viewBox="0 0 21 21" aria-hidden="true" focusable="false">
        <rect x="1" y="1" width="9" height="9" fill="#F25022" />
        <rect x="11" y="1" width="9" height="9" fill="#7FBA00" />
        <rect x="1" y="11" width="9" height="9" fill="#00A4EF" />
        <rect x="11" y="11" width="9" height="9" fill="#FFB900" />
      </svg>
    );
  }
  return (
    <svg class="sso__mark" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <circle cx="8" cy="12" r="5" fill="none" stroke="currentColor" stroke-width="2.5" />
      <path d="M13 12h9M18 12v4M21 12v3" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" />
    </svg>
  );
}

/** The words on a provider's button: its label, as the school's admin named it. */
export function buttonWords(provider: SsoProvider): string {
  return `Sign in with ${provider.label}`;
}

/** The list of sign-in buttons for these providers. */
export function SsoButtons({ providers, school, returnTo }: { providers: readonly SsoProvider[]; school: string | null; returnTo: string }) {
  return (
    <ul class="sso" aria-label="Sign in with your school's account">
      {providers.map((provider) => (
        <li key={provider.key}>
          <a
            class={`btn btn--wide sso__btn sso__btn--${provider.kind}`}
            href={startUrl(provider.key, school ?? provider.school?.slug ?? null, returnTo)}
            data-provider={provider.key}
          >
            <Mark kind={provider.kind} />
            <span>{buttonWords(provider)}</span>
          </a>
        </li>
      ))}
    </ul>
  );
}
