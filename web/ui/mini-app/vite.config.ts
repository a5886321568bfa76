import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/** The client Mini App (served at /app/): Preact with JSX compiled by Vite's own transformer, built into ./dist. */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/app/",
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
