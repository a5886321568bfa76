import { readFile, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { Hono } from "hono";

/** What a built page's files are served as (also the sandbox's web chat page). */
export const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".gif": "image/gif",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** Vite names what it builds under assets/ by content hash: a file there never changes, so browsers keep it a year. */
const cacheControlFor = (relativePath: string) => (relativePath.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache");

export type PageOptions = {
  /** Where the page is served, e.g. "/app" (its index at "/app/"). */
  base: string;
  /** The page's Vite build. */
  distDir: string;
  /** The page's own routes (the dashboard's /dashboard/clients/12): unknown paths that are not files get index.html. */
  spaFallback: boolean;
  /** The Content-Security-Policy the page's HTML is served with. */
  csp: string;
};

/**
 * A built page's files: GET and HEAD only, nothing outside dist (no `..`, no dot files such as the build stamp),
 * each with its content type; index.html is revalidated on every load (so a new build is picked up at once), the
 * hashed assets are cached for good. ETags let a revalidation answer 304.
 */
export function pageRoutes(options: PageOptions): Hono {
  const app = new Hono();
  const root = resolve(options.distDir);

  app.get(options.base, (c) => c.redirect(`${options.base}/`, 301));
  app.get(`${options.base}/*`, async (c) => {
    let relative: string;
    try {
      relative = decodeURIComponent(c.req.path.slice(options.base.length + 1));
    } catch {
      return c.text("Not found", 404);
    }
    const segments = relative.split("/");
    if (relative.includes("\0") || relative.includes("\\") || segments.some((s) => s === ".." || s.startsWith("."))) return c.text("Not found", 404);
    const isIndex = relative === "" || relative.endsWith("/");
    let file = await fileIn(root, isIndex ? join(relative, "index.html") : relative);
    let served = isIndex ? "index.html" : relative;
    // /dashboard/clients/12 is the page's own route, not a file; a missing asset (a stale hash) stays a 404.
    if (!file && options.spaFallback && !relative.startsWith("assets/")) {
      file = await fileIn(root, "index.html");
      served = "index.html";
    }
    if (!file) return c.text("Not found", 404);

    const etag = `W/"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
    const headers: Record<string, string> = {
      "content-type": contentTypes[extname(served).toLowerCase()] ?? "application/octet-stream",
      "cache-control": cacheControlFor(served),
      etag,
    };
    if (served.endsWith(".html")) {
      headers["content-security-policy"] = options.csp;
      // The same as the CSP's frame-ancestors, for browsers that predate it.
      if (options.csp.includes("frame-ancestors 'none'")) headers["x-frame-options"] = "DENY";
    }
    if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);
    if (c.req.method === "HEAD") return c.body(null, 200, headers);
    return c.body(new Uint8Array(await readFile(file.path)), 200, headers);
  });
  return app;
}

async function fileIn(root: string, relative: string): Promise<{ path: string; size: number; mtimeMs: number } | null> {
  const path = resolve(root, relative);
  if (path !== root && !path.startsWith(root + sep)) return null;
  try {
    const info = await stat(path);
    return info.isFile() ? { path, size: info.size, mtimeMs: info.mtimeMs } : null;
  } catch {
    return null;
  }
}
