// Runs Lighthouse on a running Hallpass server, signed in as one account, in Debian's Chromium
// (never a downloaded browser). Prints one JSON line: the scores (0-100) and what cost points.
//
//   node scripts/lighthouse.mjs --url http://127.0.0.1:8000 --login 1003 [--password demo]
//        [--device phone|chromebook|tablet] [--path /] [--report report.html]
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";

const CATEGORIES = ["performance", "accessibility", "best-practices"];
// As the browser tests run it (tests/browser/conftest.py): no GPU, no sandbox as root, and no
// network chatter of Chromium's own (the closed network here refuses it).
const CHROMIUM_FLAGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
// The devices each role uses (README: students on phones, teachers on Chromebooks, the hall
// monitor on a tablet). A phone is Lighthouse's own mobile default (throttled 4G, slow CPU).
const DEVICES = {
  phone: null,
  chromebook: { width: 1366, height: 768 },
  tablet: { width: 1024, height: 768 },
};

/** Sign in through the API and return the Cookie header the browser would send. */
async function sessionCookie(base, login, password) {
  const answer = await fetch(new URL("/api/session", base), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ login, password }),
  });
  if (!answer.ok) throw new Error(`sign-in as ${login} failed: ${answer.status} ${await answer.text()}`);
  return answer.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0])
    .join("; ");
}

/** The Lighthouse config for a device: the mobile default, or desktop at its screen size. */
function configFor(device) {
  const screen = DEVICES[device];
  if (screen === undefined) throw new Error(`unknown device ${device}: ${Object.keys(DEVICES).join(", ")}`);
  if (screen === null) return undefined;
  return {
    ...desktopConfig,
    settings: {
      ...desktopConfig.settings,
      screenEmulation: { mobile: false, ...screen, deviceScaleFactor: 1, disabled: false },
    },
  };
}

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    login: { type: "string" },
    password: { type: "string", default: "demo" },
    device: { type: "string", default: "phone" },
    path: { type: "string", default: "/" },
    report: { type: "string" },
    chromium: { type: "string", default: process.env.CHROME_PATH ?? "/usr/bin/chromium" },
  },
});
if (!values.url || !values.login) {
  console.error("usage: lighthouse.mjs --url BASE --login LOGIN [--device phone|chromebook|tablet]");
  process.exit(2);
}

const cookie = await sessionCookie(values.url, values.login, values.password);
const chrome = await chromeLauncher.launch({ chromePath: values.chromium, chromeFlags: CHROMIUM_FLAGS });
try {
  const result = await lighthouse(
    new URL(values.path, values.url).href,
    {
      port: chrome.port,
      output: values.report?.endsWith(".json") ? "json" : "html",
      logLevel: "error",
      onlyCategories: CATEGORIES,
      extraHeaders: { Cookie: cookie },
    },
    configFor(values.device),
  );
  if (!result) throw new Error("Lighthouse returned no result");
  const { lhr } = result;
  if (values.report) await writeFile(values.report, result.report);
  const scores = Object.fromEntries(CATEGORIES.map((id) => [id, Math.round((lhr.categories[id]?.score ?? 0) * 100)]));
  // The audits that cost points, for whoever has to fix them.
  const failing = CATEGORIES.flatMap((id) =>
    (lhr.categories[id]?.auditRefs ?? [])
      .filter((ref) => ref.weight > 0 && (lhr.audits[ref.id]?.score ?? 1) < 0.9)
      .map((ref) => `${id}: ${ref.id} (${lhr.audits[ref.id].displayValue ?? lhr.audits[ref.id].score})`),
  );
  // Every audit's score (null: not applicable), so a test can hold the ones no machine load moves.
  const audits = Object.fromEntries(Object.entries(lhr.audits).map(([id, audit]) => [id, audit.score]));
  const runtimeError = lhr.runtimeError?.message ?? null;
  console.log(
    JSON.stringify({ url: lhr.finalDisplayedUrl, login: values.login, device: values.device, scores, failing, audits, runtimeError }),
  );
} finally {
  chrome.kill();
}
