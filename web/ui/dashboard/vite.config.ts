import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/** The dashboard (web/ui/dashboard): Preact with JSX compiled by Vite's own transformer, served at /dashboard/, built into ./dist. */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/dashboard/",
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
