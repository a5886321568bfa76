import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { dashboardLoginLinks, dashboardSessions } from "../../db/schema/index.js";
import { audit } from "../audit/service.js";
import { addHours, addMinutes, systemClock, type Clock } from "../clock.js";
import { DomainError, isDomainError } from "../errors.js";
import { requireActiveStaffRole } from "../partners/access.js";
import { isAdmin } from "../users/service.js";

/**
 * Password-free sign-in to the dashboard. `/dashboard` in the admin or partner bot creates a one-time link; opening
 * it creates a session (a random token in an HttpOnly cookie, plus a CSRF token the page sends with every change).
 * Only SHA-256 hashes of the tokens are stored, so a copy of the database signs no one in.
 */

/** How long a sign-in link works (it is used within seconds of being sent). */
export const loginLinkTtlMinutes = 10;
/** How long a session lasts from sign-in (a working day and a night; then /dashboard again). */
export const sessionTtlHours = 24;

/** Who is signed in: an admin sees the network; a partner's owner sees only that partner. */
export type DashboardIdentity = { telegramId: number; role: "admin"; partnerId: null } | { telegramId: number; role: "partner"; partnerId: number };
export type DashboardSession = DashboardIdentity & { id: number; csrfToken: string; expiresAt: Date };

const newToken = () => randomBytes(32).toString("base64url");
export const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex");

/**
 * Checks that the person may use the dashboard in this role now: an admin (ADMIN_IDS or granted), or the owner of an
 * approved partner. Throws FORBIDDEN (or the partner's own refusal) otherwise. Called when a link is made and again on
 * every request, so a removed owner or a revoked admin loses access at once.
 */
export async function requireDashboardAccess(db: DbOrTx, identity: DashboardIdentity, adminIds: readonly number[]): Promise<void> {
  if (identity.role === "admin") {
    if (!(await isAdmin(db, adminIds, identity.telegramId))) throw new DomainError("FORBIDDEN", "not an admin");
    return;
  }
  const { role } = await requireActiveStaffRole(db, identity.partnerId, identity.telegramId);
  if (role !== "owner") throw new DomainError("FORBIDDEN", "the dashboard is for the partner's owner");
}

/** A sign-in link's token (to put in the URL) and when it stops working. */
export async function createLoginLink(
  db: DbOrTx,
  input: { identity: DashboardIdentity; adminIds: readonly number[] },
  clock: Clock = systemClock,
): Promise<{ token: string; expiresAt: Date }> {
  await requireDashboardAccess(db, input.identity, input.adminIds);
  const token = newToken();
  const expiresAt = addMinutes(clock.now(), loginLinkTtlMinutes);
  await db.insert(dashboardLoginLinks).values({
    tokenHash: tokenHash(token),
    telegramId: input.identity.telegramId,
    role: input.identity.role,
    partnerId: input.identity.partnerId,
    createdAt: clock.now(),
    expiresAt,
  });
  return { token, expiresAt };
}

/**
 * Uses a sign-in link up: once, before it expires, by someone who still has access. Returns the new session with its
 * cookie token, or null for a link that is unknown, used, expired or whose person lost access (all look the same to
 * the browser: "ask the bot for a new link").
 */
export async function signInWithLink(
  db: DbOrTx,
  input: { token: string; adminIds: readonly number[] },
  clock: Clock = systemClock,
): Promise<{ sessionToken: string; session: DashboardSession } | null> {
  const now = clock.now();
  return db.transaction(async (tx) => {
    // One UPDATE decides: of two browsers opening the same link at once, exactly one gets a session.
    const [link] = await tx
      .update(dashboardLoginLinks)
      .set({ usedAt: now })
      .where(and(eq(dashboardLoginLinks.tokenHash, tokenHash(input.token)), isNull(dashboardLoginLinks.usedAt), gt(dashboardLoginLinks.expiresAt, now)))
      .returning();
    if (!link) return null;
    const identity = identityOf(link);
    try {
      await requireDashboardAccess(tx, identity, input.adminIds);
    } catch (err) {
      if (isDomainError(err)) return null;
      throw err;
    }
    const sessionToken = newToken();
    const [row] = await tx
      .insert(dashboardSessions)
      .values({ tokenHash: tokenHash(sessionToken), ...identity, csrfToken: newToken(), createdAt: now, expiresAt: addHours(now, sessionTtlHours) })
      .returning();
    await auditAccess(tx, { who: identity, action: "dashboard.sign-in" });
    return { sessionToken, session: sessionOf(row!) };
  });
}

/** The live session a cookie token names (not expired, not revoked), or null. Access itself is checked separately. */
export async function sessionByToken(db: DbOrTx, token: string, clock: Clock = systemClock): Promise<DashboardSession | null> {
  const [row] = await db
    .select()
    .from(dashboardSessions)
    .where(and(eq(dashboardSessions.tokenHash, tokenHash(token)), isNull(dashboardSessions.revokedAt), gt(dashboardSessions.expiresAt, clock.now())));
  return row ? sessionOf(row) : null;
}

/** Logs this browser out (audited; a session already ended changes nothing). */
export async function signOut(db: DbOrTx, token: string, clock: Clock = systemClock): Promise<void> {
  await db.transaction(async (tx) => {
    const [ended] = await tx
      .update(dashboardSessions)
      .set({ revokedAt: clock.now() })
      .where(and(eq(dashboardSessions.tokenHash, tokenHash(token)), isNull(dashboardSessions.revokedAt)))
      .returning();
    if (!ended) return;
    await auditAccess(tx, { who: identityOf(ended), action: "dashboard.sign-out" });
  });
}

/**
 * "Log out everywhere" from the bot: ends every dashboard session of this person (both roles) and voids their unused
 * sign-in links. Audited; returns how many sessions were open.
 */
export async function signOutEverywhere(db: DbOrTx, input: { telegramId: number; actorType: "admin" | "staff" }, clock: Clock = systemClock): Promise<number> {
  const now = clock.now();
  return db.transaction(async (tx) => {
    const ended = await tx
      .update(dashboardSessions)
      .set({ revokedAt: now })
      .where(and(eq(dashboardSessions.telegramId, input.telegramId), isNull(dashboardSessions.revokedAt), gt(dashboardSessions.expiresAt, now)))
      .returning({ id: dashboardSessions.id });
    await tx
      .update(dashboardLoginLinks)
      .set({ usedAt: now })
      .where(and(eq(dashboardLoginLinks.telegramId, input.telegramId), isNull(dashboardLoginLinks.usedAt)));
    await audit(tx, { actorType: input.actorType, actorTelegramId: input.telegramId, action: "dashboard.sign-out-everywhere", targetType: "person", details: { sessions: ended.length } });
    return ended.length;
  });
}

/** Removes links and sessions that ended more than a day ago (the worker's nightly housekeeping may call it). */
export async function deleteEndedDashboardAccess(db: DbOrTx, clock: Clock = systemClock): Promise<void> {
  const dayAgo = addHours(clock.now(), -24);
  await db.delete(dashboardLoginLinks).where(sql`${dashboardLoginLinks.expiresAt} < ${dayAgo.toISOString()}::timestamptz`);
  await db.delete(dashboardSessions).where(sql`${dashboardSessions.expiresAt} < ${dayAgo.toISOString()}::timestamptz`);
}

/** A sign-in or sign-out, audited as the person in their role: an admin on the network, an owner on their partner. */
function auditAccess(tx: DbOrTx, entry: { who: DashboardIdentity; action: "dashboard.sign-in" | "dashboard.sign-out" }): Promise<void> {
  const { who } = entry;
  return audit(tx, {
    actorType: who.role === "admin" ? "admin" : "staff",
    actorTelegramId: who.telegramId,
    action: entry.action,
    targetType: who.role === "admin" ? "network" : "partner",
    targetId: who.partnerId,
  });
}

function identityOf(row: { telegramId: number; role: "admin" | "partner"; partnerId: number | null }): DashboardIdentity {
  if (row.role === "admin") return { telegramId: row.telegramId, role: "admin", partnerId: null };
  if (row.partnerId === null) throw new Error("a partner's dashboard access without a partner");
  return { telegramId: row.telegramId, role: "partner", partnerId: row.partnerId };
}

function sessionOf(row: typeof dashboardSessions.$inferSelect): DashboardSession {
  return { ...identityOf(row), id: row.id, csrfToken: row.csrfToken, expiresAt: row.expiresAt };
}
