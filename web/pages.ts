import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBuilt, type PageBuild } from "./build.js";

const webDir = dirname(fileURLToPath(import.meta.url));
const uiDir = join(webDir, "ui");
/** What every page's Vite config is made of: a change to it makes every page stale. */
export const preactPageConfig = join(webDir, "preact-page.vite.ts");

/** The web server's two pages, each built by its own Vite config into its own dist (served at /app/ and /dashboard/). */
export const webPages = {
  miniApp: pageIn("mini-app"),
  dashboard: pageIn("dashboard"),
} as const satisfies Record<string, PageBuild>;

function pageIn(folder: string): PageBuild {
  const dir = join(uiDir, folder);
  return {
    sources: [dir, join(uiDir, "shared"), join(uiDir, "..", "api.ts"), preactPageConfig],
    viteConfig: join(dir, "vite.config.ts"),
    distDir: join(dir, "dist"),
  };
}

/** Both pages, built if their sources changed (the first start after a change takes a few seconds): their dist folders. */
export async function ensureWebPagesBuilt(): Promise<{ miniApp: string; dashboard: string }> {
  const [miniApp, dashboard] = await Promise.all([ensureBuilt(webPages.miniApp), ensureBuilt(webPages.dashboard)]);
  return { miniApp, dashboard };
}
