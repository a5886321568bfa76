import { timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { isDomainError } from "../../../../core/errors.js";
import { requireDashboardAccess, sessionByToken } from "../../../../core/web-auth/service.js";
import type { DashboardEnv, WebDeps } from "../../context.js";
import { ApiFailure } from "../../errors.js";

export const sessionCookie = "cb_session";
export const csrfHeader = "X-CSRF-Token";
/** The one dashboard change made without a session (it creates one). */
const signInPath = "/api/dashboard/sign-in";
const unsafeMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const localHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * The cookie is Secure unless the browser reached us on this machine by plain http (the sandbox, a developer):
 * anywhere else the server sits behind https (PUBLIC_URL must be https), and the cookie must never go out in clear.
 * An https PUBLIC_URL decides it even when a proxy forwards the request to us as 127.0.0.1.
 */
const secureCookie = (c: Context, deps: Pick<WebDeps, "publicUrl">) =>
  deps.publicUrl?.startsWith("https:") === true || !localHosts.has(new URL(c.req.url).hostname);

export function setSessionCookie(c: Context, deps: Pick<WebDeps, "publicUrl">, token: string, expiresAt: Date): void {
  setCookie(c, sessionCookie, token, { httpOnly: true, sameSite: "Lax", path: "/", secure: secureCookie(c, deps), expires: expiresAt });
}

export const clearSessionCookie = (c: Context, deps: Pick<WebDeps, "publicUrl">) => deleteCookie(c, sessionCookie, { path: "/", secure: secureCookie(c, deps) });

/**
 * Every /api/dashboard request but sign-in: a live session (else 401), the person still allowed in that role (an
 * owner removed or a partner blocked since sign-in is refused at once, 403), and for a change the session's CSRF
 * token in X-CSRF-Token (403 CSRF). A change from another site's page is refused by its Origin before anything.
 */
export function dashboardSession(deps: WebDeps): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    const unsafe = unsafeMethods.has(c.req.method);
    if (unsafe) requireSameOrigin(c, deps);
    if (c.req.path === signInPath && c.req.method === "POST") return next();
    const token = getCookie(c, sessionCookie);
    const session = token ? await sessionByToken(deps.db, token, deps.clock) : null;
    if (!token || !session) throw new ApiFailure(401, "UNAUTHORIZED", "not signed in: ask the bot for a new link with /dashboard");
    try {
      await requireDashboardAccess(deps.db, session, deps.adminIds);
    } catch (err) {
      if (isDomainError(err)) throw new ApiFailure(403, err.code, "you no longer have access to this dashboard");
      throw err;
    }
    if (unsafe && !sameSecret(c.req.header(csrfHeader), session.csrfToken)) throw new ApiFailure(403, "CSRF", `send the ${csrfHeader} header from /api/dashboard/me`);
    c.set("session", session);
    c.set("sessionToken", token);
    await next();
  };
}

/** Admin-only routes: a partner's session is refused (403), whatever it asks for. */
export const adminOnly: MiddlewareHandler<DashboardEnv> = async (c, next) => {
  if (c.get("session").role !== "admin") throw new ApiFailure(403, "FORBIDDEN", "for admins only");
  await next();
};

/**
 * A browser names the page a change comes from; one from another origin is never ours (cookies alone would let it
 * through). Ours: the host the request came to, or PUBLIC_URL's (a proxy may forward with its own Host).
 */
function requireSameOrigin(c: Context, deps: Pick<WebDeps, "publicUrl">): void {
  const origin = c.req.header("origin");
  if (origin === undefined) return; // not a browser's cross-site request (those carry Origin on POST/PUT/DELETE)
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    originHost = "";
  }
  const ours = [new URL(c.req.url).host, ...(deps.publicUrl ? [new URL(deps.publicUrl).host] : [])];
  if (!ours.includes(originHost)) throw new ApiFailure(403, "CSRF", "a change must come from the dashboard's own page");
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
