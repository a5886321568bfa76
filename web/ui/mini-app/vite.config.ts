import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/** The client Mini App (served at /app/): Preact with JSX compiled by Vite's own transformer, built into ./dist. */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/app/",
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
