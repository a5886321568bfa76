import { chmod, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** A page built by Vite: its sources, its Vite config, and where the build goes. */
export type PageBuild = {
  /** Every file or folder whose change makes the build stale (the page's sources, its config, shared UI code). */
  sources: readonly string[];
  viteConfig: string;
  distDir: string;
};

/** Written into dist by each build: when the build started. Sources changed after it make the build stale. */
const stampName = ".built-at";

/**
 * A page, built: returns the directory to serve. Builds with Vite when dist is missing or older than any of its
 * sources, into a temporary directory next to dist that then takes its place, so a process starting while another
 * builds never serves half a build. Vite is imported only when a build is needed.
 */
export async function ensureBuilt(page: PageBuild): Promise<string> {
  if (await isFresh(page)) return page.distDir;
  const startedAt = Date.now();
  const tempDir = await mkdtemp(`${page.distDir}-building-`);
  try {
    const { build } = await import("vite");
    // Errors only: a build that works says nothing (Vite's timing notices are not for the person starting the network).
    await build({ configFile: page.viteConfig, logLevel: "error", build: { outDir: tempDir, emptyOutDir: true } });
    await writeFile(join(tempDir, stampName), String(startedAt));
    await chmod(tempDir, 0o755); // mkdtemp makes it private to this user
    await moveIntoPlace(tempDir, page.distDir);
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
  return page.distDir;
}

async function isFresh(page: PageBuild): Promise<boolean> {
  let builtAt: number;
  try {
    builtAt = Number(await readFile(join(page.distDir, stampName), "utf8"));
    await stat(join(page.distDir, "index.html"));
  } catch {
    return false;
  }
  // The page's own builds (dist, and dist-building-* while one runs) lie inside its sources: not a change.
  const isBuild = (path: string) => path === page.distDir || path.startsWith(`${page.distDir}-building-`);
  return (await newestChange([...page.sources, page.viteConfig], isBuild)) < builtAt;
}

/**
 * The latest modification time (ms) among these files and every file under these directories, but the skipped ones.
 * Files only: a directory's own time changes whenever a build is moved into it.
 */
async function newestChange(paths: readonly string[], skip: (path: string) => boolean): Promise<number> {
  let newest = 0;
  for (const path of paths) {
    if (skip(path)) continue;
    const info = await stat(path);
    if (info.isDirectory()) {
      const entries = await readdir(path);
      newest = Math.max(newest, await newestChange(entries.map((entry) => join(path, entry)), skip));
    } else {
      newest = Math.max(newest, info.mtimeMs);
    }
  }
  return newest;
}

/**
 * dist is replaced by the new build with two renames (a directory cannot be renamed over a non-empty one).
 * If another process put its build in place first, that one is kept and ours is dropped.
 */
async function moveIntoPlace(tempDir: string, distDir: string): Promise<void> {
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
