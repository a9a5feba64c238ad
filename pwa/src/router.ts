// The app's pages are real paths (/passes/12 from a notification, /admin, /kiosk), served by the
// server as the same shell: see server/api/pwa.py APP_PAGES.
import { signal } from "@preact/signals";

export const path = signal(location.pathname);
/** The page's query string (`?problem=...` on the sign-in page), kept with the path. */
export const query = signal(location.search);

/** Go to a page of the app without reloading it. */
export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  path.value = location.pathname;
  query.value = location.search;
}

/** The pass a /passes/{id} path points at, if any. */
export function passIdIn(current: string): number | null {
  const match = /^\/passes\/(\d+)$/.exec(current);
  return match ? Number(match[1]) : null;
}

window.addEventListener("popstate", () => {
  path.value = location.pathname;
  query.value = location.search;
});

// A tapped notification asks the open app to show its page (service-worker/sw.ts).
navigator.serviceWorker?.addEventListener("message", (event: MessageEvent) => {
  const data = event.data as { type?: string; url?: string } | null;
  if (data?.type === "open" && typeof data.url === "string" && data.url.startsWith("/")) navigate(data.url);
});
