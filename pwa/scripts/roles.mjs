// Splits the build's files into the shell (precached at install, for everyone) and each role's
// own files (cached by the service worker once it learns the signed-in user's role), so a
// student's phone never stores the teacher's, the admin's or the monitor's code.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// Where the app names each role's screen (the VIEWS table of src/App.tsx).
const APP = new URL("../src/App.tsx", import.meta.url);
const VIEW_OF_ROLE = /^\s*(\w+): \(\) => import\("\.\/(views\/[^"]+)"\),?$/gm;
export const ROLES_FILE = "precache-roles.json";

/** Role -> the source of its screen, as Vite's manifest names it ("src/views/...tsx"). */
export function roleViews(appSource = readFileSync(APP, "utf8")) {
  const views = {};
  for (const [, role, view] of appSource.matchAll(VIEW_OF_ROLE)) views[role] = `src/${view}.tsx`;
  if (Object.keys(views).length === 0) throw new Error("src/App.tsx: no role views found in VIEWS");
  return views;
}

/** The files a chunk loads with it: its own, its CSS, and its static imports', as URLs. */
function filesOf(manifest, key, seen = new Set()) {
  if (seen.has(key)) return new Set();
  seen.add(key);
  const chunk = manifest[key];
  if (!chunk) throw new Error(`the build's manifest has no ${key}`);
  const found = new Set([`/${chunk.file}`, ...(chunk.css ?? []).map((css) => `/${css}`)]);
  for (const imported of chunk.imports ?? []) for (const file of filesOf(manifest, imported, seen)) found.add(file);
  return found;
}

/** Split the build in dist: the shell's asset URLs, and each role's screen and other asset URLs. */
export function splitByRole(dist) {
  const manifest = JSON.parse(readFileSync(join(dist, ".vite", "manifest.json"), "utf8"));
  const page = readFileSync(join(dist, "index.html"), "utf8");
  // The shell's stylesheet is inside index.html (vite.config.ts inlineShellCss): not cached twice.
  const entry = filesOf(manifest, "index.html");
  const shell = new Set([...entry].filter((file) => !file.endsWith(".css") || page.includes(file)));
  const views = roleViews();
  const own = new Set(Object.values(views));
  // Screens any role may be shown (the emergency screen): part of every role's files.
  const common = (manifest["index.html"].dynamicImports ?? []).filter((key) => !own.has(key));
  const roles = {};
  for (const [role, view] of Object.entries(views)) {
    const files = new Set();
    for (const key of [view, ...common]) for (const file of filesOf(manifest, key)) files.add(file);
    // Nothing of the entry's: it is precached, or inside index.html.
    roles[role] = { view: `/${manifest[view].file}`, files: [...files].filter((file) => !entry.has(file)).sort() };
  }
  return { shell, roles };
}

/** Write dist/precache-roles.json (the service worker reads it) and return the split. */
export function writeRoleFiles(dist) {
  const split = splitByRole(dist);
  writeFileSync(join(dist, ROLES_FILE), `${JSON.stringify(split.roles, null, 1)}\n`);
  return split;
}
