import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { reportPostgresUnavailable } from "../../core/runtime.js";
import { unavailableService } from "../../core/unavailable.js";
import type { WebDeps } from "./context.js";
import { ApiFailure, errorResponse } from "./errors.js";
import { miniAppRoutes } from "./routes/app.js";
import { dashboardRoutes } from "./routes/dashboard/router.js";
import { pageRoutes } from "./static.js";

export type { WebDeps } from "./context.js";

/**
 * Content-Security-Policy of the two pages: their own scripts, styles and API only (QR codes are drawn into data:
 * images). The Mini App is shown inside Telegram (web.telegram.org frames it; the sandbox's web chat frames it from
 * the same origin); the dashboard is never framed (clickjacking a moderation button).
 */
const pageCsp = (frameAncestors: string) =>
  [
    "default-src 'self'",
    "script-src 'self'",
    // Inline style attributes only (charts and the theme set them); no inline script anywhere.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors}`,
  ].join("; ");
export const miniAppCsp = pageCsp("'self' https://web.telegram.org https://*.telegram.org");
export const dashboardCsp = pageCsp("'none'");

/** Every API body is a few small fields: anything bigger is refused before it is read into memory. */
const maxBodyBytes = 16 * 1024;

/**
 * The web server: the client Mini App (/app/, its API /api/app/*) and the dashboard (/dashboard/, /api/dashboard/*).
 * No I/O here: tests drive it with `app.request()`, main.ts puts it on a port in front of the ops routes (/healthz,
 * /readyz, /metrics), which every process serves alike.
 */
export function createWebApp(deps: WebDeps): Hono {
  const app = new Hono();

  app.use("*", async (c, next) => {
    await next();
    c.header("X-Content-Type-Options", "nosniff");
    // The dashboard's address may hold a sign-in token in its fragment: never tell another site where we came from.
    c.header("Referrer-Policy", "no-referrer");
    if (c.req.path.startsWith("/api/")) {
      c.header("Cache-Control", c.res.headers.get("cache-control") ?? "no-store");
      c.header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    }
  });

  app.use("/api/*", bodyLimit({ maxSize: maxBodyBytes, onError: (c) => errorResponse(c, new ApiFailure(413, "TOO_LARGE", `a request body is at most ${maxBodyBytes} bytes`), deps.logger) }));

  app.route("/api/app", miniAppRoutes(deps));
  app.route("/api/dashboard", dashboardRoutes(deps));
  if (deps.pages.miniApp) app.route("/", pageRoutes({ base: "/app", distDir: deps.pages.miniApp, spaFallback: false, csp: miniAppCsp }));
  if (deps.pages.dashboard) app.route("/", pageRoutes({ base: "/dashboard", distDir: deps.pages.dashboard, spaFallback: true, csp: dashboardCsp }));

  app.notFound((c) => errorResponse(c, new ApiFailure(404, "NOT_FOUND", "no such page"), deps.logger));
  app.onError((err, c) => {
    // One log line when Postgres goes away and one when it is back, as in the bots (each request gets its 503).
    if (unavailableService(err) === "postgres") reportPostgresUnavailable(deps, err);
    return errorResponse(c, err, deps.logger);
  });
  return app;
}
