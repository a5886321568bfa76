import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import { meResponse, signInBody } from "../../../api.js";
import { findPartner } from "../../../../core/partners/service.js";
import { chosenLanguage } from "../../../../core/users/service.js";
import { signInWithLink, signOut, type DashboardSession } from "../../../../core/web-auth/service.js";
import type { DashboardEnv, WebDeps } from "../../context.js";
import { ApiFailure, jsonBody, send } from "../../errors.js";
import { clearSessionCookie, sessionCookie, setSessionCookie } from "./session.js";

/** Signing in with the bot's one-time link, who is signed in, and signing this browser out. */
export function accountRoutes(deps: WebDeps): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();

  app.post("/sign-in", async (c) => {
    const { token } = await jsonBody(c, signInBody);
    const signedIn = await signInWithLink(deps.db, { token, adminIds: deps.adminIds }, deps.clock);
    // Unknown, used, expired, or its person lost access: the same answer for all ("ask the bot for a new link").
    if (!signedIn) throw new ApiFailure(401, "LINK_INVALID", "this sign-in link is used or expired: send /dashboard to the bot for a new one");
    // A browser signed in before (perhaps as someone else) ends that session: one browser, one live session.
    const previous = getCookie(c, sessionCookie);
    if (previous) await signOut(deps.db, previous, deps.clock);
    setSessionCookie(c, deps, signedIn.sessionToken, signedIn.session.expiresAt);
    return send(c, meResponse, await me(deps, signedIn.session));
  });

  app.get("/me", async (c) => send(c, meResponse, await me(deps, c.get("session"))));

  app.post("/sign-out", async (c) => {
    await signOut(deps.db, c.get("sessionToken"), deps.clock);
    clearSessionCookie(c, deps);
    return c.body(null, 204);
  });

  return app;
}

async function me(deps: WebDeps, session: DashboardSession) {
  const [partner, language] = await Promise.all([
    session.partnerId === null ? null : findPartner(deps.db, { id: session.partnerId }),
    chosenLanguage(deps.db, session.telegramId),
  ]);
  return {
    telegramId: session.telegramId,
    role: session.role,
    partner: partner ? { id: partner.id, name: partner.name } : null,
    csrfToken: session.csrfToken,
    language: language ?? "ru",
    expiresAt: session.expiresAt,
  };
}
