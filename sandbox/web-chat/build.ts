import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBuilt } from "../../web/build.js";
import { preactPageConfig } from "../../web/pages.js";

const webChatDir = dirname(fileURLToPath(import.meta.url));

/** The web chat page (sandbox/web-chat/ui), built by Vite when its sources changed: returns the directory to serve. */
export const ensureWebChatBuilt = () =>
  ensureBuilt({ sources: [join(webChatDir, "ui"), preactPageConfig], viteConfig: join(webChatDir, "vite.config.ts"), distDir: join(webChatDir, "dist") });
