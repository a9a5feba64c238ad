// Builds the app into dist/ (served by the Hallpass server) and the service worker beside it.
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import { VitePWA } from "vite-plugin-pwa";
import type { ManifestTransform } from "workbox-build";
import { writeRoleFiles } from "./scripts/roles.mjs";

// The worker precaches only the shell: each role's own files are cached once the worker
// learns the signed-in role (service-worker/sw.ts), from the list this writes beside it.
const shellOnly: ManifestTransform = (entries) => {
  const { shell } = writeRoleFiles(fileURLToPath(new URL("dist", import.meta.url)));
  const kept = entries.filter((entry) => !entry.url.startsWith("assets/") || shell.has(`/${entry.url}`));
  return { manifest: kept, warnings: [] };
};

// The shell's own stylesheet (~9 KB, ~2.5 KB compressed) goes inside index.html: a phone then
// paints the first screen without waiting for a render-blocking CSS request (Lighthouse measured
// 150-180 ms on its throttled 4G). The server allows exactly this <style> by its hash in the CSP
// (server/api/pwa.py); the views' own CSS still loads with them.
function inlineShellCss(): Plugin {
  return {
    name: "hallpass-inline-shell-css",
    apply: "build",
    enforce: "post",
    generateBundle(_options, bundle) {
      const html = bundle["index.html"];
      if (html?.type !== "asset" || typeof html.source !== "string") return;
      html.source = html.source.replace(
        /<link rel="stylesheet"[^>]*href="\/(assets\/[^"]+\.css)"[^>]*>/g,
        (link: string, file: string) => {
          const css = bundle[file];
          if (css?.type !== "asset") return link;
          return `<style>${String(css.source).trim()}</style>`;
        },
      );
    },
  };
}

export default defineConfig({
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // One small entry: views load on demand, so the first screen ships only what it shows.
    modulePreload: { polyfill: false },
    sourcemap: false,
    // Lists each view's files, for the size budget (tests/browser/test_budget.py).
    manifest: true,
  },
  plugins: [
    inlineShellCss(),
    VitePWA({
      strategies: "injectManifest",
      srcDir: "service-worker",
      filename: "sw.ts",
      // The app registers the worker itself (src/sw-register.ts): no inline script, as the CSP asks.
      injectRegister: false,
      injectManifest: {
        globPatterns: ["**/*.{js,css,html,svg,png,webmanifest}"],
        manifestTransforms: [shellOnly],
      },
      manifest: {
        name: "Hallpass",
        short_name: "Hallpass",
        description: "Digital hall passes for your school.",
        start_url: "/",
        scope: "/",
        display: "standalone",
        orientation: "any",
        theme_color: "#1d4ed8",
        background_color: "#ffffff",
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
    }),
  ],
});
