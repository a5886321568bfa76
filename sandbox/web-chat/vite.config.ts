import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/** The web chat page (sandbox/web-chat/ui): Preact with JSX compiled by Vite's own transformer, built into ./dist. */
export default defineConfig({
  root: fileURLToPath(new URL("./ui", import.meta.url)),
  base: "/",
  logLevel: "warn",
  publicDir: false,
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: fileURLToPath(new URL("./dist", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    reportCompressedSize: false,
  },
});
