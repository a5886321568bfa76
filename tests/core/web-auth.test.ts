import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, dashboardLoginLinks, dashboardSessions } from "../../db/schema/index.js";
import { addMinutes, fixedClock } from "../../core/clock.js";
import { isDomainError } from "../../core/errors.js";
import { addStaff, setPartnerBlocked } from "../../core/partners/service.js";
import {
  createLoginLink,
  deleteEndedDashboardAccess,
  sessionByToken,
  signInWithLink,
  signOut,
  signOutEverywhere,
  tokenHash,
  type DashboardIdentity,
} from "../../core/web-auth/service.js";
import { useTestDb } from "../helpers/db.js";
import { adminId, concurrently, makePartner, newTelegramId } from "../helpers/fixtures.js";

const db = useTestDb();
const adminIds = [adminId];
const admin: DashboardIdentity = { telegramId: adminId, role: "admin", partnerId: null };
const t0 = new Date("2026-11-20T10:00:00Z");
const at = (minutes: number) => fixedClock(addMinutes(t0, minutes));

const codeOf = (err: unknown) => (isDomainError(err) ? err.code : String(err));

describe("dashboard sign-in links", () => {
  it("a link signs in once; the session is found by its cookie token, carries a CSRF token and is audited", async () => {
    const { token } = await createLoginLink(db, { identity: admin, adminIds }, at(0));
    const first = await signInWithLink(db, { token, adminIds }, at(1));
    expect(first?.session).toMatchObject({ telegramId: adminId, role: "admin", partnerId: null });
    expect(first!.session.csrfToken.length).toBeGreaterThanOrEqual(40);
    expect(await signInWithLink(db, { token, adminIds }, at(2))).toBeNull();
    expect((await sessionByToken(db, first!.sessionToken, at(3)))?.id).toBe(first!.session.id);
    const audits = await db.select().from(auditLog).where(eq(auditLog.action, "dashboard.sign-in"));
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorType: "admin", actorTelegramId: adminId });
  });

  it("only hashes of tokens are stored", async () => {
    const { token } = await createLoginLink(db, { identity: admin, adminIds }, at(0));
    const signedIn = await signInWithLink(db, { token, adminIds }, at(1));
    const [link] = await db.select().from(dashboardLoginLinks);
    const [session] = await db.select().from(dashboardSessions);
    expect(link!.tokenHash).toBe(tokenHash(token));
    expect(JSON.stringify([link, session])).not.toContain(token);
    expect(JSON.stringify([link, session])).not.toContain(signedIn!.sessionToken);
  });

  it("an expired link, an unknown token and a link opened twice at once: no session, or exactly one", async () => {
    const expired = await createLoginLink(db, { identity: admin, adminIds }, at(0));
    expect(await signInWithLink(db, { token: expired.token, adminIds }, at(11))).toBeNull();
    expect(await signInWithLink(db, { token: "x".repeat(43), adminIds }, at(0))).toBeNull();
    const raced = await createLoginLink(db, { identity: admin, adminIds }, at(0));
    const { ok } = await concurrently(5, () => signInWithLink(db, { token: raced.token, adminIds }, at(1)));
    expect(ok.filter((r) => r !== null)).toHaveLength(1);
    expect(await db.select().from(dashboardSessions)).toHaveLength(1);
  });

  it("is only for admins and partners' owners: a cashier, a stranger and a blocked partner's owner get no link", async () => {
    const p = await makePartner(db);
    const cashier = newTelegramId();
    await addStaff(db, { partnerId: p.partnerId, ownerTelegramId: p.staffTelegramId, telegramId: cashier });
    const owner: DashboardIdentity = { telegramId: p.staffTelegramId, role: "partner", partnerId: p.partnerId };
    expect((await createLoginLink(db, { identity: owner, adminIds }, at(0))).token).toBeTruthy();
    const refusals = await Promise.all(
      [
        { telegramId: cashier, role: "partner", partnerId: p.partnerId } as const,
        { telegramId: newTelegramId(), role: "admin", partnerId: null } as const,
        { telegramId: p.staffTelegramId, role: "admin", partnerId: null } as const,
      ].map((identity) => createLoginLink(db, { identity, adminIds }, at(0)).catch(codeOf)),
    );
    expect(refusals).toEqual(["FORBIDDEN", "FORBIDDEN", "FORBIDDEN"]);
    await setPartnerBlocked(db, { adminTelegramId: adminId, partnerId: p.partnerId, blocked: true, reason: "проверка" });
    expect(await createLoginLink(db, { identity: owner, adminIds }, at(0)).catch(codeOf)).toBe("PARTNER_NOT_ACTIVE");
    expect(await db.select().from(dashboardLoginLinks)).toHaveLength(1);
  });

  it("a link made before its person lost access signs no one in", async () => {
    const p = await makePartner(db);
    const { token } = await createLoginLink(db, { identity: { telegramId: p.staffTelegramId, role: "partner", partnerId: p.partnerId }, adminIds }, at(0));
    await setPartnerBlocked(db, { adminTelegramId: adminId, partnerId: p.partnerId, blocked: true, reason: "проверка" });
    expect(await signInWithLink(db, { token, adminIds }, at(1))).toBeNull();
    const revokedAdmin = await createLoginLink(db, { identity: admin, adminIds }, at(0));
    expect(await signInWithLink(db, { token: revokedAdmin.token, adminIds: [] }, at(1))).toBeNull(); // no longer in ADMIN_IDS
    expect(await db.select().from(dashboardSessions)).toHaveLength(0);
  });
});

describe("dashboard sessions", () => {
  async function signedIn(minute = 0) {
    const { token } = await createLoginLink(db, { identity: admin, adminIds }, at(minute));
    return (await signInWithLink(db, { token, adminIds }, at(minute)))!;
  }

  it("end after 24 hours", async () => {
    const s = await signedIn();
    expect(await sessionByToken(db, s.sessionToken, at(24 * 60 - 1))).not.toBeNull();
    expect(await sessionByToken(db, s.sessionToken, at(24 * 60))).toBeNull();
  });

  it("sign out ends this browser only; sign out everywhere ends all and voids unused links, audited", async () => {
    const a = await signedIn();
    const b = await signedIn();
    await signOut(db, a.sessionToken, at(1));
    expect(await sessionByToken(db, a.sessionToken, at(2))).toBeNull();
    expect(await sessionByToken(db, b.sessionToken, at(2))).not.toBeNull();
    const c = await signedIn(2);
    const unused = await createLoginLink(db, { identity: admin, adminIds }, at(2));
    expect(await signOutEverywhere(db, { telegramId: adminId, actorType: "admin" }, at(3))).toBe(2);
    expect(await sessionByToken(db, b.sessionToken, at(4))).toBeNull();
    expect(await sessionByToken(db, c.sessionToken, at(4))).toBeNull();
    expect(await signInWithLink(db, { token: unused.token, adminIds }, at(4))).toBeNull();
    const [entry] = await db.select().from(auditLog).where(eq(auditLog.action, "dashboard.sign-out-everywhere"));
    expect(entry?.details).toEqual({ sessions: 2 });
  });

  it("housekeeping removes links and sessions that ended more than a day ago, and keeps live ones", async () => {
    await createLoginLink(db, { identity: admin, adminIds }, at(0));
    const old = await signedIn(0);
    const live = await signedIn(3 * 24 * 60);
    await deleteEndedDashboardAccess(db, at(3 * 24 * 60 + 1));
    expect(await db.select().from(dashboardLoginLinks)).toHaveLength(1); // only the live session's link
    expect((await db.select().from(dashboardSessions)).map((s) => s.id)).toEqual([live.session.id]);
  });
});
