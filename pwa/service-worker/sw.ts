/// <reference lib="webworker" />
// The Hallpass service worker: the app shell offline, notifications while the app is closed,
// and the offline action queue sent when the network is back.
import { clientsClaim } from "workbox-core";
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { SAFETY_CATEGORIES } from "../src/contract/constants";
import type { HallpassPushPayload } from "../src/contract/push";
import { replay, SYNC_TAG } from "./queue";
import { cacheRoleOf, dropRoleFiles, roleFilesRoute } from "./roles";

declare const self: ServiceWorkerGlobalScope;

// The build lists every file of the shell with a content hash: a new build is a new version,
// and its install replaces exactly the files that changed. Only the shell: each role's own
// screens are cached once the worker learns the user's role (./roles.ts), so a student's phone
// keeps no teacher, admin or monitor code.
precacheAndRoute(self.__WB_MANIFEST);
// Caches of older precache formats are dropped on activate.
cleanupOutdatedCaches();
// The role's files: served from their cache, and a role's screen loading teaches its role.
registerRoute(roleFilesRoute((event) => event.waitUntil(cacheRoleOf())));
// Every page of the app is the same shell; the API and the socket are never served from cache.
registerRoute(
  new NavigationRoute(createHandlerBoundToURL("/index.html"), {
    denylist: [/^\/api\//, /^\/ws/, /^\/openapi\.json/, /^\/healthz/],
  }),
);

self.addEventListener("install", () => {
  void self.skipWaiting();
});
// A new build has new file names: the old role files go, and the signed-in role's are fetched.
self.addEventListener("activate", (event) => {
  event.waitUntil(dropRoleFiles().then(cacheRoleOf));
});
clientsClaim();

// What a push shows: the payload (shared/push-payload.schema.json; its small form after a 413
// has no body or category), or the text of one that is not JSON.
type Shown = Partial<HallpassPushPayload & { body: string; category: string }>;

self.addEventListener("push", (event) => {
  let payload: Shown;
  try {
    payload = event.data?.json() as HallpassPushPayload;
  } catch {
    payload = { title: "Hallpass", body: event.data?.text() ?? "" };
  }
  // The safety categories stay on screen until someone acts.
  const safety = (SAFETY_CATEGORIES as ReadonlySet<string>).has(payload.category ?? "");
  event.waitUntil(
    self.registration.showNotification(payload.title || "Hallpass", {
      body: payload.body ?? "",
      tag: payload.tag,
      icon: "/icons/icon-192.png",
      badge: "/icons/icon-192.png",
      data: { url: payload.url || "/", pass_id: payload.pass_id ?? null },
      requireInteraction: safety,
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL((event.notification.data as { url?: string })?.url || "/", self.location.origin);
  keepAlive(event, openApp(target));
});

/** Show the app at `target`: the open window routes there without a reload, or a new one opens. */
async function openApp(target: URL): Promise<void> {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const open = windows.find((client) => new URL(client.url).origin === target.origin);
  if (open) {
    open.postMessage({ type: "open", url: target.pathname + target.search });
    // Focus needs the click's user activation; without it the app still shows the page.
    await open.focus().catch(() => undefined);
    return;
  }
  await self.clients.openWindow(target.href);
}

/** Keep the worker alive until `work` ends. */
function keepAlive(event: ExtendableEvent, work: Promise<unknown>): void {
  try {
    event.waitUntil(work);
  } catch {
    // Only the browser's own events can extend the worker's life; one dispatched by script
    // (the browser tests do, as no automation API clicks a system notification) still runs.
  }
}

// Background Sync: the browser wakes the worker when the network is back, even if the app is
// closed; the open app also replays by itself on reconnect (src/api/actions.ts).
self.addEventListener("sync", (event: Event) => {
  const sync = event as Event & { tag: string; waitUntil(p: Promise<unknown>): void };
  if (sync.tag === SYNC_TAG) sync.waitUntil(replay());
});

self.addEventListener("message", (event) => {
  if ((event.data as { type?: string })?.type === "replay") event.waitUntil(replay());
});
