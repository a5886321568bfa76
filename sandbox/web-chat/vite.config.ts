import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/** The web chat page (sandbox/web-chat/ui): Preact with JSX compiled by Vite's own transformer, built into ./dist. */
export default defineConfig({
  root: fileURLToPath(new URL("./ui", import.meta.url)),
  base: "/",
  logLevel: "warn",
  publicDir: false,
  // development: false — inside vitest (NODE_ENV=test) oxc would otherwise emit its development JSX (bigger, with local paths).
  oxc: { jsx: { runtime: "automatic", importSource: "preact", development: false } },
  build: {
    outDir: fileURLToPath(new URL("./dist", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    reportCompressedSize: false,
  },
});
