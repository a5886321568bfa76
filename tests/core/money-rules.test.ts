import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { balances, jobs, ledgerEntries, purchases, redemptionRequests } from "../../db/schema/index.js";
import { addDays, addHours, addMinutes, fixedClock } from "../../core/clock.js";
import { balanceOf, findBalanceDrift } from "../../core/ledger/post.js";
import { pgErrorOf } from "../../core/pg-errors.js";
import { accrue, adjustBalance, cancelRedemption, confirmRedemption, declineRedemption, expireRedemptions, requestRedemption, undoOperation } from "../../core/ledger/service.js";
import { cashbackPoints, redeemCap } from "../../core/ledger/tiers.js";
import { rowCounts, useTestDb } from "../helpers/db.js";
import { adminId, makeClient, makePartner, setSettings } from "../helpers/fixtures.js";

const db = useTestDb();
const t0 = new Date("2026-06-01T12:00:00Z");

async function setup(points = 0) {
  await setSettings(db, { welcomeBonus: 0 });
  const p = await makePartner(db);
  const c = await makeClient(db, points);
  return { ...p, ...c };
}

describe("accrual", () => {
  it("pays floor(rubles × tier rate), records the check, notifies the client and schedules the NPS question", async () => {
    const { partnerId, staffTelegramId, clientId } = await setup();
    const r = await accrue(db, { partnerId, staffTelegramId, clientId, amountKopecks: 99_999, receiptNumber: "77" }, fixedClock(t0));
    expect(r).toMatchObject({ points: 49, tier: "bronze", rateBp: 500, balanceAfter: 49, replayed: false });
    const queued = (await db.select().from(jobs).orderBy(jobs.id)).filter((j) => j.kind === "notify.client" || j.kind === "nps.ask");
    expect(queued.map((j) => j.kind)).toEqual(["notify.client", "nps.ask"]);
    expect(queued[1]!.runAt).toEqual(addMinutes(t0, 10));
    expect(queued[1]!.dedupeKey).toBe(`nps:${r.purchaseId}`);
  });

  it("the same receipt number with another amount or client is refused, not replayed", async () => {
    const { partnerId, staffTelegramId, clientId } = await setup();
    await accrue(db, { partnerId, staffTelegramId, clientId, amountKopecks: 10_000, receiptNumber: "R1" });
    const before = await rowCounts(db);
    await expect(accrue(db, { partnerId, staffTelegramId, clientId, amountKopecks: 20_000, receiptNumber: "R1" })).rejects.toMatchObject({ code: "RECEIPT_REUSED" });
    expect(await rowCounts(db)).toEqual(before);
  });

  it("an undone check frees its receipt number: the cashier can enter it again, for the right client", async () => {
    const { partnerId, staffTelegramId, clientId } = await setup();
    const other = await makeClient(db);
    const wrong = await accrue(db, { partnerId, staffTelegramId, clientId: other.clientId, amountKopecks: 20_000, receiptNumber: "R7" });
    await undoOperation(db, { entryId: wrong.ledgerEntryId!, actor: { kind: "staff", partnerId, staffTelegramId } });
    const right = await accrue(db, { partnerId, staffTelegramId, clientId, amountKopecks: 20_000, receiptNumber: "R7" });
    expect(right).toMatchObject({ replayed: false, points: 10 });
    expect(await accrue(db, { partnerId, staffTelegramId, clientId, amountKopecks: 20_000, receiptNumber: "R7" })).toMatchObject({ replayed: true, purchaseId: right.purchaseId });
    expect(await balanceOf(db, clientId)).toBe(10);
    expect(await balanceOf(db, other.clientId)).toBe(0);
  });

  it("the same receipt number at two partners is two checks", async () => {
    const { partnerId, staffTelegramId, clientId } = await setup();
    const other = await makePartner(db, "Салон Лилия");
    await accrue(db, { partnerId, staffTelegramId, clientId, amountKopecks: 10_000, receiptNumber: "1" });
    const second = await accrue(db, { partnerId: other.partnerId, staffTelegramId: other.staffTelegramId, clientId, amountKopecks: 10_000, receiptNumber: "1" });
    expect(second.replayed).toBe(false);
    expect(await balanceOf(db, clientId)).toBe(10);
  });

  it("integer arithmetic matches the rule at the edges", () => {
    expect(cashbackPoints(1_000_000_000, 2_000)).toBe(2_000_000); // 10,000,000 ₽ × 20 %
    expect(cashbackPoints(1_999, 500)).toBe(0); // 19.99 ₽ × 5 % = 0.9995
    expect(cashbackPoints(2_000, 500)).toBe(1);
    expect(redeemCap(100_000, 30)).toBe(300);
    expect(redeemCap(99_999, 30)).toBe(299);
  });
});

describe("tiers", () => {
  // Earned points are set up with checks at 5 % (bronze) worth exactly N points each: N × 2,000 kopecks.
  async function earn(p: { partnerId: number; staffTelegramId: number; clientId: number }, points: number, at: Date, receipt: string) {
    return accrue(db, { ...p, amountKopecks: points * 2_000, receiptNumber: receipt }, fixedClock(at));
  }

  it.each([
    [499, "bronze", 500],
    [500, "silver", 1_000],
    [1_499, "silver", 1_000],
    [1_500, "gold", 1_500],
    [2_999, "gold", 1_500],
    [3_000, "platinum", 2_000],
  ] as const)("%i points earned → %s (%i bp)", async (earned, tier, rateBp) => {
    const s = await setup();
    await setSettings(db, { ratesBp: { bronze: 500, silver: 500, gold: 500, platinum: 500 } }); // keep the setup's arithmetic simple
    await earn(s, earned, t0, "setup");
    await setSettings(db, { ratesBp: { bronze: 500, silver: 1_000, gold: 1_500, platinum: 2_000 } });
    const r = await accrue(db, { partnerId: s.partnerId, staffTelegramId: s.staffTelegramId, clientId: s.clientId, amountKopecks: 100_000, receiptNumber: "probe" }, fixedClock(addDays(t0, 1)));
    expect(r.tier).toBe(tier);
    expect(r.rateBp).toBe(rateBp);
    expect(r.points).toBe(rateBp / 10); // 1,000 ₽ × rate
  });

  it("counts only the last 365 days, and spending points does not lower the tier", async () => {
    const s = await setup();
    await earn(s, 600, t0, "old");
    const probe = async (at: Date, receipt: string) =>
      (await accrue(db, { partnerId: s.partnerId, staffTelegramId: s.staffTelegramId, clientId: s.clientId, amountKopecks: 1_000, receiptNumber: receipt }, fixedClock(at))).tier;
    const req = await requestRedemption(db, { partnerId: s.partnerId, staffTelegramId: s.staffTelegramId, clientId: s.clientId, checkKopecks: 200_000, points: 600, idempotencyKey: "spend" }, fixedClock(addDays(t0, 1)));
    await confirmRedemption(db, { by: { kind: "client", clientId: s.clientId, requestId: req.id }, decisionKey: "k" }, fixedClock(addDays(t0, 1)));
    expect(await balanceOf(db, s.clientId)).toBe(0);
    expect(await probe(addDays(t0, 364), "a")).toBe("silver");
    expect(await probe(addDays(t0, 365), "b")).toBe("bronze");
  });

  it("an accrual that crosses a threshold reports the tier-up and queues the notification", async () => {
    const s = await setup();
    await earn(s, 450, t0, "1");
    const r = await earn(s, 60, t0, "2");
    expect(r.tierUp).toBe("silver");
    const kinds = (await db.select({ kind: jobs.kind, payload: jobs.payload }).from(jobs)).filter((j) => j.payload.message === "tier-up");
    expect(kinds).toHaveLength(1);
  });
});

describe("redemption", () => {
  it("confirmed by the client: points leave only then; the cashier who asked is told", async () => {
    const s = await setup(500);
    const req = await requestRedemption(db, { ...pick(s), checkKopecks: 100_000, points: 300, idempotencyKey: "r1" });
    expect(await balanceOf(db, s.clientId)).toBe(500);
    expect(req.code).toMatch(/^\d{6}$/);
    const d = await confirmRedemption(db, { by: { kind: "client", clientId: s.clientId, requestId: req.id }, decisionKey: "cb-1" });
    expect(d.balanceAfter).toBe(200);
    expect(d.request.status).toBe("confirmed");
    const again = await confirmRedemption(db, { by: { kind: "client", clientId: s.clientId, requestId: req.id }, decisionKey: "cb-1" });
    expect(again).toMatchObject({ replayed: true, balanceAfter: 200 });
    expect(await balanceOf(db, s.clientId)).toBe(200);
    const cashierJobs = await db.select().from(jobs).where(eq(jobs.kind, "redemption.tell-cashier"));
    expect(cashierJobs.map((j) => j.payload)).toEqual([{ redemptionRequestId: req.id, message: "redemption-confirmed" }]);
  });

  it("confirmed by the cashier typing the client's one-time code; the code cannot be used again", async () => {
    const s = await setup(500);
    const req = await requestRedemption(db, { ...pick(s), checkKopecks: 100_000, points: 100, idempotencyKey: "r1" });
    await confirmRedemption(db, { by: { kind: "partner", partnerId: s.partnerId, staffTelegramId: s.staffTelegramId, requestId: req.id, code: req.code }, decisionKey: "upd-1" });
    const before = await rowCounts(db);
    await expect(confirmRedemption(db, { by: { kind: "partner", partnerId: s.partnerId, staffTelegramId: s.staffTelegramId, requestId: req.id, code: req.code }, decisionKey: "upd-2" })).rejects.toMatchObject({ code: "REDEMPTION_ALREADY_DECIDED" });
    expect(await rowCounts(db)).toEqual(before);
    expect(await balanceOf(db, s.clientId)).toBe(400);
  });

  it("declined: nothing leaves; a later confirm is refused", async () => {
    const s = await setup(500);
    const req = await requestRedemption(db, { ...pick(s), checkKopecks: 100_000, points: 100, idempotencyKey: "r1" });
    await declineRedemption(db, { clientId: s.clientId, requestId: req.id, decisionKey: "no" });
    await expect(confirmRedemption(db, { by: { kind: "client", clientId: s.clientId, requestId: req.id }, decisionKey: "yes" })).rejects.toMatchObject({ code: "REDEMPTION_ALREADY_DECIDED" });
    expect(await balanceOf(db, s.clientId)).toBe(500);
  });

  it("caps the points at the partner's share of the check and at the balance", async () => {
    const s = await setup(500);
    await expect(requestRedemption(db, { ...pick(s), checkKopecks: 100_000, points: 301, idempotencyKey: "a" })).rejects.toMatchObject({ code: "REDEEM_CAP_EXCEEDED", details: { cap: 300 } });
    await expect(requestRedemption(db, { ...pick(s), checkKopecks: 1_000_000, points: 501, idempotencyKey: "b" })).rejects.toMatchObject({ code: "INSUFFICIENT_POINTS", details: { available: 500 } });
  });

  it("if the points were spent between request and confirmation, the confirmation is refused and nothing changes", async () => {
    const s = await setup(500);
    const other = await makePartner(db, "Соседний партнёр");
    const a = await requestRedemption(db, { ...pick(s), checkKopecks: 1_000_000, points: 400, idempotencyKey: "a" });
    const b = await requestRedemption(db, { partnerId: other.partnerId, staffTelegramId: other.staffTelegramId, clientId: s.clientId, checkKopecks: 1_000_000, points: 400, idempotencyKey: "b" });
    await confirmRedemption(db, { by: { kind: "client", clientId: s.clientId, requestId: a.id }, decisionKey: "1" });
    await expect(confirmRedemption(db, { by: { kind: "client", clientId: s.clientId, requestId: b.id }, decisionKey: "2" })).rejects.toMatchObject({ code: "INSUFFICIENT_POINTS" });
    const [still] = await db.select().from(redemptionRequests).where(eq(redemptionRequests.id, b.id));
    expect(still!.status).toBe("pending");
    expect(await balanceOf(db, s.clientId)).toBe(100);
  });

  it("a new request at the same partner replaces the client's unanswered one, so one check is never paid twice; the old one says why", async () => {
    const s = await setup(500);
    const first = await requestRedemption(db, { ...pick(s), checkKopecks: 100_000, points: 300, idempotencyKey: "first" });
    const second = await requestRedemption(db, { ...pick(s), checkKopecks: 100_000, points: 300, idempotencyKey: "retry" });
    await expect(confirmRedemption(db, { by: { kind: "client", clientId: s.clientId, requestId: first.id }, decisionKey: "x" })).rejects.toMatchObject({ code: "REDEMPTION_SUPERSEDED", details: { newRequestId: String(second.id) } });
    await expect(declineRedemption(db, { clientId: s.clientId, requestId: first.id, decisionKey: "x" })).rejects.toMatchObject({ code: "REDEMPTION_SUPERSEDED" });
    await confirmRedemption(db, { by: { kind: "client", clientId: s.clientId, requestId: second.id }, decisionKey: "y" });
    expect(await balanceOf(db, s.clientId)).toBe(200);
  });

  it("expires: a confirmation after the expiry is refused; the sweep marks it and tells the cashier who asked", async () => {
    const s = await setup(500);
    const req = await requestRedemption(db, { ...pick(s), checkKopecks: 100_000, points: 100, idempotencyKey: "r" }, fixedClock(t0));
    const late = fixedClock(addMinutes(t0, 10));
    const before = await rowCounts(db);
    await expect(confirmRedemption(db, { by: { kind: "client", clientId: s.clientId, requestId: req.id }, decisionKey: "k" }, late)).rejects.toMatchObject({ code: "REDEMPTION_EXPIRED" });
    expect(await rowCounts(db)).toEqual(before);
    expect(await expireRedemptions(db, late)).toBe(1);
    await expect(confirmRedemption(db, { by: { kind: "client", clientId: s.clientId, requestId: req.id }, decisionKey: "k" }, late)).rejects.toMatchObject({ code: "REDEMPTION_EXPIRED" });
    const cashierJobs = await db.select().from(jobs).where(eq(jobs.kind, "redemption.tell-cashier"));
    expect(cashierJobs.map((j) => j.payload)).toEqual([{ redemptionRequestId: req.id, message: "redemption-expired" }]);
  });

  it("a request of another partner cannot be confirmed or cancelled by this one, nor a client's by another client", async () => {
    const s = await setup(500);
    const other = await makePartner(db, "Другой партнёр");
    const stranger = await makeClient(db);
    const req = await requestRedemption(db, { ...pick(s), checkKopecks: 100_000, points: 100, idempotencyKey: "r" });
    const before = await rowCounts(db);
    await expect(confirmRedemption(db, { by: { kind: "partner", partnerId: other.partnerId, staffTelegramId: other.staffTelegramId, requestId: req.id, code: req.code }, decisionKey: "x" })).rejects.toMatchObject({ code: "REDEMPTION_NOT_FOUND" });
    await expect(cancelRedemption(db, { partnerId: other.partnerId, staffTelegramId: other.staffTelegramId, requestId: req.id })).rejects.toMatchObject({ code: "REDEMPTION_NOT_FOUND" });
    await expect(confirmRedemption(db, { by: { kind: "client", clientId: stranger.clientId, requestId: req.id }, decisionKey: "y" })).rejects.toMatchObject({ code: "REDEMPTION_NOT_FOUND" });
    await expect(confirmRedemption(db, { by: { kind: "partner", partnerId: s.partnerId, staffTelegramId: other.staffTelegramId, requestId: req.id, code: req.code }, decisionKey: "z" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await rowCounts(db)).toEqual(before);
  });

  it("a repeated request key returns the same request; the same key for another amount is refused", async () => {
    const s = await setup(500);
    const a = await requestRedemption(db, { ...pick(s), checkKopecks: 100_000, points: 100, idempotencyKey: "same" });
    const b = await requestRedemption(db, { ...pick(s), checkKopecks: 100_000, points: 100, idempotencyKey: "same" });
    expect(b).toMatchObject({ id: a.id, code: a.code, replayed: true });
    await expect(requestRedemption(db, { ...pick(s), checkKopecks: 100_000, points: 99, idempotencyKey: "same" })).rejects.toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
  });
});

describe("undo", () => {
  it("an accrual whose points were partly spent: balance goes to zero, the reversal points at the original, the shortfall is recorded", async () => {
    const s = await setup();
    const acc = await accrue(db, { ...pick(s), amountKopecks: 200_000, receiptNumber: "big" }); // 100 points
    const req = await requestRedemption(db, { ...pick(s), checkKopecks: 200_000, points: 60, idempotencyKey: "spend" });
    await confirmRedemption(db, { by: { kind: "client", clientId: s.clientId, requestId: req.id }, decisionKey: "k" });
    const u = await undoOperation(db, { entryId: acc.ledgerEntryId!, actor: { kind: "staff", partnerId: s.partnerId, staffTelegramId: s.staffTelegramId } });
    expect(u.reversal).toMatchObject({ kind: "reversal", points: -40, shortfall: 60, reversesEntryId: acc.ledgerEntryId, balanceAfter: 0 });
    expect(await balanceOf(db, s.clientId)).toBe(0);
    const [p] = await db.select().from(purchases).where(eq(purchases.id, acc.purchaseId));
    expect(p!.cancelledAt).not.toBeNull();
    const again = await undoOperation(db, { entryId: acc.ledgerEntryId!, actor: { kind: "staff", partnerId: s.partnerId, staffTelegramId: s.staffTelegramId } });
    expect(again).toMatchObject({ replayed: true, reversal: { id: u.reversal.id } });
    expect(await findBalanceDrift(db)).toEqual([]);
  });

  it("an accrual entirely spent is reversed by a zero row that records the whole shortfall", async () => {
    const s = await setup();
    const acc = await accrue(db, { ...pick(s), amountKopecks: 200_000, receiptNumber: "x" });
    await adjustBalance(db, { adminTelegramId: adminId, clientId: s.clientId, points: -100, reason: "spent", idempotencyKey: "k" });
    const u = await undoOperation(db, { entryId: acc.ledgerEntryId!, actor: { kind: "admin", adminTelegramId: adminId } });
    expect(u.reversal).toMatchObject({ points: 0, shortfall: 100, balanceAfter: 0 });
  });

  it("a redemption undone gives the points back", async () => {
    const s = await setup(300);
    const req = await requestRedemption(db, { ...pick(s), checkKopecks: 100_000, points: 300, idempotencyKey: "r" });
    const d = await confirmRedemption(db, { by: { kind: "client", clientId: s.clientId, requestId: req.id }, decisionKey: "k" });
    await undoOperation(db, { entryId: d.ledgerEntry!.id, actor: { kind: "staff", partnerId: s.partnerId, staffTelegramId: s.staffTelegramId } });
    expect(await balanceOf(db, s.clientId)).toBe(300);
  });

  it("staff: only their partner's operations and within 24 h; an admin any time; bonuses are not undoable", async () => {
    const s = await setup();
    const other = await makePartner(db, "Чужой партнёр");
    const acc = await accrue(db, { ...pick(s), amountKopecks: 100_000, receiptNumber: "1" }, fixedClock(t0));
    const staff = { kind: "staff" as const, partnerId: s.partnerId, staffTelegramId: s.staffTelegramId };
    const before = await rowCounts(db);
    await expect(undoOperation(db, { entryId: acc.ledgerEntryId!, actor: { kind: "staff", partnerId: other.partnerId, staffTelegramId: other.staffTelegramId } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(undoOperation(db, { entryId: acc.ledgerEntryId!, actor: staff }, fixedClock(addHours(t0, 24.01)))).rejects.toMatchObject({ code: "UNDO_WINDOW_PASSED" });
    const [bonus] = await db.select().from(ledgerEntries).where(eq(ledgerEntries.kind, "adjustment"));
    expect(bonus).toBeUndefined();
    expect(await rowCounts(db)).toEqual(before);
    const u = await undoOperation(db, { entryId: acc.ledgerEntryId!, actor: { kind: "admin", adminTelegramId: adminId }, reason: "late refund" }, fixedClock(addDays(t0, 30)));
    expect(u.reversal.points).toBe(-50);
  });

  it("a welcome bonus cannot be undone", async () => {
    await setSettings(db, { welcomeBonus: 100 });
    const p = await makePartner(db);
    const c = await makeClient(db);
    const [welcome] = await db.select().from(ledgerEntries).where(eq(ledgerEntries.clientId, c.clientId));
    await expect(undoOperation(db, { entryId: welcome!.id, actor: { kind: "admin", adminTelegramId: adminId } })).rejects.toMatchObject({ code: "NOT_REVERSIBLE" });
    await expect(undoOperation(db, { entryId: welcome!.id, actor: { kind: "staff", partnerId: p.partnerId, staffTelegramId: p.staffTelegramId } })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("admin adjustment", () => {
  it("needs a reason, cannot overdraw, is audited and idempotent on its key", async () => {
    const s = await setup(50);
    const before = await rowCounts(db);
    await expect(adjustBalance(db, { adminTelegramId: adminId, clientId: s.clientId, points: 10, reason: "", idempotencyKey: "a" })).rejects.toMatchObject({ code: "VALIDATION" });
    await expect(adjustBalance(db, { adminTelegramId: adminId, clientId: s.clientId, points: -51, reason: "correction", idempotencyKey: "b" })).rejects.toMatchObject({ code: "INSUFFICIENT_POINTS" });
    expect(await rowCounts(db)).toEqual(before);
    const e = await adjustBalance(db, { adminTelegramId: adminId, clientId: s.clientId, points: -50, reason: "correction", idempotencyKey: "c" });
    const again = await adjustBalance(db, { adminTelegramId: adminId, clientId: s.clientId, points: -50, reason: "correction", idempotencyKey: "c" });
    expect(again).toMatchObject({ id: e.id, replayed: true });
    await expect(adjustBalance(db, { adminTelegramId: adminId, clientId: s.clientId, points: -40, reason: "correction", idempotencyKey: "c" })).rejects.toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
    const audit = await db.execute<{ action: string }>(sql`SELECT action FROM audit_log WHERE action = 'ledger.adjust'`);
    expect(audit.length).toBe(2); // the fixture's setup adjustment and this one
  });
});

describe("database guards (they hold even if the application is wrong)", () => {
  it("the ledger refuses UPDATE and DELETE", async () => {
    const s = await setup(10);
    expect(await pgFailure(db.update(ledgerEntries).set({ points: 1_000 }).where(eq(ledgerEntries.clientId, s.clientId)))).toMatchObject({ code: "23001", message: expect.stringMatching(/append-only/) });
    expect(await pgFailure(db.delete(ledgerEntries).where(eq(ledgerEntries.clientId, s.clientId)))).toMatchObject({ code: "23001" });
    expect(await findBalanceDrift(db)).toEqual([]);
  });

  it("a balance cannot be set below zero", async () => {
    const s = await setup(10);
    expect(await pgFailure(db.update(balances).set({ points: -1 }).where(eq(balances.clientId, s.clientId)))).toMatchObject({ code: "23514", constraint_name: "balances_points_non_negative" });
  });

  it("an idempotency key cannot be written twice", async () => {
    const s = await setup(10);
    const [e] = await db.select().from(ledgerEntries).where(eq(ledgerEntries.clientId, s.clientId));
    const { id: _id, ...copy } = e!;
    expect(await pgFailure(db.insert(ledgerEntries).values(copy))).toMatchObject({ code: "23505", constraint_name: "ledger_idempotency_key" });
  });
});

/** The Postgres error a query failed with (drizzle wraps it), or a test failure if it did not fail. */
async function pgFailure(query: PromiseLike<unknown>) {
  try {
    await query;
  } catch (err) {
    const pg = pgErrorOf(err);
    if (pg) return pg;
    throw err;
  }
  throw new Error("the query was expected to fail");
}

const pick = (s: { partnerId: number; staffTelegramId: number; clientId: number }) => ({ partnerId: s.partnerId, staffTelegramId: s.staffTelegramId, clientId: s.clientId });
