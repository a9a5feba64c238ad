/// <reference lib="webworker" />
// Each role's own files, cached by the worker once it knows the signed-in role: the build lists
// them in /precache-roles.json (scripts/roles.mjs); the shell alone is precached at install.
import type { RouteHandlerCallbackOptions } from "workbox-core";
import { Route } from "workbox-routing";

export const ROLE_CACHE = "hallpass-role-files";
const ROLES_URL = "/precache-roles.json";

/** Each role's screen and every file it needs beyond the shell. */
type RoleFiles = Record<string, { view: string; files: string[] }>;

/** The build's role -> files list (revalidated: a new build lists new names). */
async function roleFiles(): Promise<RoleFiles> {
  const answer = await fetch(ROLES_URL, { cache: "no-cache" });
  if (!answer.ok) throw new Error(`${ROLES_URL}: ${answer.status}`);
  return (await answer.json()) as RoleFiles;
}

/** Keep exactly this role's files in the role cache: another account's role's files go. */
export async function cacheRole(role: string): Promise<void> {
  const wanted = new Set((await roleFiles())[role]?.files ?? []);
  const cache = await caches.open(ROLE_CACHE);
  const held = new Set<string>();
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (wanted.has(path)) held.add(path);
    else await cache.delete(request);
  }
  await cache.addAll([...wanted].filter((path) => !held.has(path)));
}

let learning: Promise<void> | null = null;

/** Ask the server who is signed in (the session cookie goes along) and cache that role's files. */
export function cacheRoleOf(): Promise<void> {
  // A screen loads several view files at once (an admin's embeds the monitor's): one question.
  learning ??= askRole().finally(() => (learning = null));
  return learning;
}

async function askRole(): Promise<void> {
  try {
    const answer = await fetch("/api/me", { credentials: "same-origin", cache: "no-store" });
    if (!answer.ok) return; // nobody signed in yet: the screen they open will ask again
    const me = (await answer.json()) as { role?: string };
    if (me.role) await cacheRole(me.role);
  } catch {
    // Offline: the role cache keeps what it had.
  }
}

/** Drop every role's files (on a new build's activation: their names changed). */
export async function dropRoleFiles(): Promise<void> {
  await caches.delete(ROLE_CACHE);
}

/** The route for the app's hashed files outside the precache: the role cache first, else the network. */
export function roleFilesRoute(onView: (event: ExtendableEvent) => void): Route {
  return new Route(
    ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith("/assets/"),
    async ({ request, url, event }: RouteHandlerCallbackOptions) => {
      // A role's screen is loading: someone signed in (or switched account), so learn the role.
      if (/View-[\w-]+\.js$/.test(url.pathname)) onView(event);
      const cached = await caches.match(request, { cacheName: ROLE_CACHE });
      return cached ?? fetch(request);
    },
  );
}
