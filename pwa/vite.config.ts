// Builds the app into dist/ (served by the Hallpass server) and the service worker beside it.
import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";

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
    VitePWA({
      strategies: "injectManifest",
      srcDir: "service-worker",
      filename: "sw.ts",
      // The app registers the worker itself (src/sw-register.ts): no inline script, as the CSP asks.
      injectRegister: false,
      injectManifest: {
        globPatterns: ["**/*.{js,css,html,svg,png,webmanifest}"],
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
