import { chmod, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const webChatDir = dirname(fileURLToPath(import.meta.url));
const uiDir = join(webChatDir, "ui");
const viteConfig = join(webChatDir, "vite.config.ts");
const distDir = join(webChatDir, "dist");
/** Written into dist by each build: when the build started. Sources changed after it make the build stale. */
const stampName = ".built-at";

/**
 * The web chat page, built: returns the directory to serve (sandbox/web-chat/dist). Builds with Vite when dist is
 * missing or older than any file under ui/ (or the Vite config), into a temporary directory next to dist that then
 * takes its place, so a process starting while another builds never serves half a build. Vite is imported only here,
 * and only when a build is needed, so production never loads it.
 */
export async function ensureWebChatBuilt(): Promise<string> {
  if (await isFresh()) return distDir;
  const startedAt = Date.now();
  const tempDir = await mkdtemp(join(webChatDir, ".dist-building-"));
  try {
    const { build } = await import("vite");
    await build({ configFile: viteConfig, logLevel: "warn", build: { outDir: tempDir, emptyOutDir: true } });
    await writeFile(join(tempDir, stampName), String(startedAt));
    await chmod(tempDir, 0o755); // mkdtemp makes it private to this user
    await moveIntoPlace(tempDir);
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
  return distDir;
}

async function isFresh(): Promise<boolean> {
  let builtAt: number;
  try {
    builtAt = Number(await readFile(join(distDir, stampName), "utf8"));
    await stat(join(distDir, "index.html"));
  } catch {
    return false;
  }
  return (await newestChange([uiDir, viteConfig])) < builtAt;
}

/** The latest modification time (ms) among these files and everything under these directories. */
async function newestChange(paths: string[]): Promise<number> {
  let newest = 0;
  for (const path of paths) {
    const info = await stat(path);
    newest = Math.max(newest, info.mtimeMs);
    if (info.isDirectory()) {
      const entries = await readdir(path);
      newest = Math.max(newest, await newestChange(entries.map((entry) => join(path, entry))));
    }
  }
  return newest;
}

/**
 * dist is replaced by the new build with two renames (a directory cannot be renamed over a non-empty one).
 * If another process put its build in place first, that one is kept and ours is dropped.
 */
async function moveIntoPlace(tempDir: string): Promise<void> {
  const oldDir = `${tempDir}-old`;
  try {
    await rename(distDir, oldDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  try {
    await rename(tempDir, distDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
  } finally {
    await rm(oldDir, { recursive: true, force: true });
  }
}
