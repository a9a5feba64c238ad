// Single sign-on on the sign-in page: which providers to offer, for which school, and the link
// that starts each (a full-page navigation: the provider's page, then the server's callback).
import { call } from "../../api/client";
import type { SsoProblem, SsoProvider, SsoProviders } from "../../api/types";
import { SSO_PROBLEMS } from "../../contract/constants";

// The school a person chose here (or a link named) last time: a student's phone keeps it.
const SCHOOL_KEY = "hallpass.sign-in.school";

/** The sign-in page's path, where the server's callback sends a sign-in that failed. */
export const SIGN_IN_PATH = "/sign-in";

/** The school this device signs in to, if one was chosen or linked. */
export function rememberedSchool(): string | null {
  try {
    return localStorage.getItem(SCHOOL_KEY);
  } catch {
    return null; // storage blocked (a private window's policy): the picker asks each time
  }
}

/** Remember (or, with null, forget) the school this device signs in to. */
export function rememberSchool(slug: string | null): void {
  try {
    if (slug) localStorage.setItem(SCHOOL_KEY, slug);
    else localStorage.removeItem(SCHOOL_KEY);
  } catch {
    // Not kept: the picker asks again next time.
  }
}

/** The enabled providers of a school and its district (every one of the deployment without one). */
export function loadProviders(school: string | null): Promise<SsoProviders> {
  const search = school ? `?school=${encodeURIComponent(school)}` : "";
  return call<SsoProviders>("GET", `/api/sso/providers${search}`);
}

/** One school a person may choose, from the school-wide providers listed. */
export interface SchoolChoice {
  slug: string;
  name: string;
}

/** The distinct schools that have providers of their own, by name. */
export function schoolsOf(providers: readonly SsoProvider[]): SchoolChoice[] {
  const seen = new Map<string, string>();
  for (const p of providers) if (p.school) seen.set(p.school.slug, p.school.name);
  return [...seen].map(([slug, name]) => ({ slug, name })).sort((a, b) => a.name.localeCompare(b.name));
}

/** A path of this site to come back to after signing in (anything else: the start page). */
export function safeReturn(to: string | null | undefined): string {
  // "//host" and "/\host" are other sites to a browser: only a plain path comes back here.
  if (!to || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return "/";
  return to.startsWith(SIGN_IN_PATH) ? "/" : to;
}

/** Where the person was going: the page they opened, or the sign-in page's `return_to`. */
export function returnPath(): string {
  if (location.pathname === SIGN_IN_PATH) return safeReturn(new URLSearchParams(location.search).get("return_to"));
  return safeReturn(location.pathname + location.search);
}

/** The server's link that starts signing in with a provider. */
export function startUrl(key: string, school: string | null, returnTo: string): string {
  const params = new URLSearchParams();
  if (school) params.set("school", school);
  params.set("return_to", returnTo);
  return `/api/sso/${encodeURIComponent(key)}/start?${params.toString()}`;
}

const UNKNOWN_PROBLEM: SsoProblem = {
  title: "Signing in didn't work",
  detail: "Hallpass could not finish signing you in with your school's account.",
  ask: "Try again. If it keeps happening, ask your school's technology office.",
};

/** What to tell a person about a failed sign-in, by the server's problem code. */
export function problemWords(code: string): SsoProblem {
  return (SSO_PROBLEMS as Record<string, SsoProblem | undefined>)[code] ?? UNKNOWN_PROBLEM;
}
