import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/** The dashboard (web/ui/dashboard): Preact with JSX compiled by Vite's own transformer, served at /dashboard/, built into ./dist. */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/dashboard/",
  logLevel: "warn",
  publicDir: false,
  // Production JSX even when built from a test run (NODE_ENV=test would otherwise pick the dev transform, with file paths).
  oxc: { jsx: { runtime: "automatic", importSource: "preact", development: false } },
  build: {
    outDir: fileURLToPath(new URL("./dist", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    reportCompressedSize: false,
  },
});
