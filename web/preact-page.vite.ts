import { fileURLToPath } from "node:url";
import { defineConfig, type UserConfig } from "vite";

/**
 * The Vite config of one of our Preact pages (the Mini App, the dashboard, the sandbox's web chat): its folder is the
 * root, it is served under `base` and built into `outDir` (default `<root>/dist`). JSX is compiled by Vite's own transformer.
 */
export function preactPage(rootUrl: URL, base: string, outDir: URL = new URL("./dist", rootUrl)): UserConfig {
  return defineConfig({
    root: fileURLToPath(rootUrl),
    base,
    logLevel: "warn",
    publicDir: false,
    // Production JSX even when built from a test run (NODE_ENV=test would otherwise pick the dev transform, with file paths).
    oxc: { jsx: { runtime: "automatic", importSource: "preact", development: false } },
    build: {
      outDir: fileURLToPath(outDir),
      emptyOutDir: true,
      target: "es2022",
      reportCompressedSize: false,
    },
  });
}
