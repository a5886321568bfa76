import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { jobs, npsRatings } from "../../db/schema/index.js";
import { partnerStats } from "../../core/analytics/partner-stats.js";
import { registerClient } from "../../core/clients/service.js";
import { addDays, addHours, addMinutes, fixedClock, type Clock } from "../../core/clock.js";
import { addRatingComment, npsOf, partnerNps, recordRating } from "../../core/feedback/service.js";
import { accrue, confirmRedemption, requestRedemption, undoOperation } from "../../core/ledger/service.js";
import { updatePartnerSettings } from "../../core/partners/service.js";
import { rowCounts, useTestDb } from "../helpers/db.js";
import { concurrently, makeClient, makePartner, newTelegramId, setSettings } from "../helpers/fixtures.js";
import { testAppSecret } from "../helpers/env.js";

const db = useTestDb();
const t0 = new Date("2026-03-02T00:00:00Z");

type Partnerish = { partnerId: number; staffTelegramId: number };
let receipt = 0;

/** A visit: an accrual of `kopecks` for the client at the partner, with a receipt number of its own. */
async function visit(p: Partnerish, clientId: number, kopecks = 10_000, clock?: Clock) {
  return accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId, amountKopecks: kopecks, receiptNumber: `v${++receipt}` }, clock);
}

describe("recordRating", () => {
  it("one rating per visit: the same score again is a replay, a different score is ALREADY_RATED", async () => {
    const p = await makePartner(db);
    const c = await makeClient(db);
    const { purchaseId } = await visit(p, c.clientId);

    const first = await recordRating(db, { clientId: c.clientId, purchaseId, score: 8 }, fixedClock(t0));
    expect(first).toMatchObject({ purchaseId, clientId: c.clientId, partnerId: p.partnerId, score: 8, comment: null, createdAt: t0, replayed: false, asksForComment: false });

    const before = await rowCounts(db);
    const again = await recordRating(db, { clientId: c.clientId, purchaseId, score: 8 }, fixedClock(addHours(t0, 1)));
    expect(again).toMatchObject({ id: first.id, score: 8, createdAt: t0, replayed: true });
    await expect(recordRating(db, { clientId: c.clientId, purchaseId, score: 2 })).rejects.toMatchObject({ code: "ALREADY_RATED", details: { score: 8 } });
    expect(await rowCounts(db)).toEqual(before);
    expect(await db.select().from(npsRatings)).toHaveLength(1);

    // Another visit of the same client is rated on its own.
    const second = await visit(p, c.clientId);
    expect(await recordRating(db, { clientId: c.clientId, purchaseId: second.purchaseId, score: 2 })).toMatchObject({ replayed: false, asksForComment: true });
  });

  it("the same button pressed 10 times at once makes one rating", async () => {
    const p = await makePartner(db);
    const c = await makeClient(db);
    const { purchaseId } = await visit(p, c.clientId);
    const { ok, errors } = await concurrently(10, () => recordRating(db, { clientId: c.clientId, purchaseId, score: 10 }));
    expect(errors).toEqual([]);
    expect(ok.filter((r) => !r.replayed)).toHaveLength(1);
    expect(new Set(ok.map((r) => r.id)).size).toBe(1);
    expect(await db.select().from(npsRatings)).toHaveLength(1);
  });

  it("someone else's visit or a visit that does not exist is NOT_FOUND; a score of 11, -1 or 7.5 is VALIDATION; nothing is written", async () => {
    const p = await makePartner(db);
    const owner = await makeClient(db);
    const other = await makeClient(db);
    const { purchaseId } = await visit(p, owner.clientId);
    const before = await rowCounts(db);
    await expect(recordRating(db, { clientId: other.clientId, purchaseId, score: 10 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(recordRating(db, { clientId: owner.clientId, purchaseId: purchaseId + 1_000, score: 10 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    for (const score of [11, -1, 7.5]) {
      await expect(recordRating(db, { clientId: owner.clientId, purchaseId, score })).rejects.toMatchObject({ code: "VALIDATION", details: { field: "score" } });
    }
    expect(await rowCounts(db)).toEqual(before);
    // The owner can still rate it afterwards.
    expect(await recordRating(db, { clientId: owner.clientId, purchaseId, score: 0 })).toMatchObject({ score: 0, asksForComment: true });
  });

  it("asks for a comment exactly for scores 0–6", async () => {
    const p = await makePartner(db);
    const c = await makeClient(db);
    const asked: boolean[] = [];
    for (let score = 0; score <= 10; score++) {
      const { purchaseId } = await visit(p, c.clientId);
      asked.push((await recordRating(db, { clientId: c.clientId, purchaseId, score })).asksForComment);
    }
    expect(asked).toEqual([true, true, true, true, true, true, true, false, false, false, false]);
  });
});

describe("addRatingComment", () => {
  it("after a score ≤ 6: stored trimmed, the partner is told via an 'nps.low-score' job; a second comment is ALREADY_RATED", async () => {
    const p = await makePartner(db);
    const c = await makeClient(db);
    const { purchaseId } = await visit(p, c.clientId);
    const rating = await recordRating(db, { clientId: c.clientId, purchaseId, score: 6 });

    const commented = await addRatingComment(db, { clientId: c.clientId, ratingId: rating.id, comment: "  Долго ждал заказ  " }, fixedClock(t0));
    expect(commented).toMatchObject({ id: rating.id, score: 6, comment: "Долго ждал заказ" });
    expect(await db.select().from(jobs).where(eq(jobs.kind, "nps.low-score"))).toMatchObject([{ payload: { ratingId: rating.id }, runAt: t0, dedupeKey: `nps-comment:${rating.id}`, status: "pending" }]);

    const before = await rowCounts(db);
    await expect(addRatingComment(db, { clientId: c.clientId, ratingId: rating.id, comment: "и ещё" })).rejects.toMatchObject({ code: "ALREADY_RATED" });
    expect(await rowCounts(db)).toEqual(before);
    const [stored] = await db.select().from(npsRatings).where(eq(npsRatings.id, rating.id));
    expect(stored?.comment).toBe("Долго ждал заказ");
  });

  it("not after a 7 or better, not on someone else's rating, not empty; nothing is written", async () => {
    const p = await makePartner(db);
    const c = await makeClient(db);
    const other = await makeClient(db);
    const passive = await recordRating(db, { clientId: c.clientId, purchaseId: (await visit(p, c.clientId)).purchaseId, score: 7 });
    const low = await recordRating(db, { clientId: c.clientId, purchaseId: (await visit(p, c.clientId)).purchaseId, score: 1 });
    const before = await rowCounts(db);
    await expect(addRatingComment(db, { clientId: c.clientId, ratingId: passive.id, comment: "хорошо" })).rejects.toMatchObject({ code: "VALIDATION" });
    await expect(addRatingComment(db, { clientId: other.clientId, ratingId: low.id, comment: "плохо" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(addRatingComment(db, { clientId: c.clientId, ratingId: 987_654, comment: "плохо" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(addRatingComment(db, { clientId: c.clientId, ratingId: low.id, comment: "   " })).rejects.toMatchObject({ code: "VALIDATION" });
    await expect(addRatingComment(db, { clientId: c.clientId, ratingId: low.id, comment: "я".repeat(1_001) })).rejects.toMatchObject({ code: "VALIDATION" });
    expect(await rowCounts(db)).toEqual(before);
  });
});

describe("NPS arithmetic", () => {
  it.each([
    [{ promoters: 5, passives: 3, detractors: 2 }, 30],
    [{ promoters: 10, passives: 0, detractors: 0 }, 100],
    [{ promoters: 0, passives: 0, detractors: 3 }, -100],
    [{ promoters: 0, passives: 7, detractors: 0 }, 0],
    [{ promoters: 2, passives: 1, detractors: 0 }, 67], // 66.67 rounds up
    [{ promoters: 1, passives: 0, detractors: 2 }, -33], // -33.33
    [{ promoters: 1, passives: 1, detractors: 1 }, 0],
  ])("%o → %i", (counts, nps) => {
    expect(npsOf(counts)).toEqual({ ...counts, total: counts.promoters + counts.passives + counts.detractors, nps });
  });

  it("nobody rated: NPS is null, not 0", () => {
    expect(npsOf({ promoters: 0, passives: 0, detractors: 0 })).toEqual({ promoters: 0, passives: 0, detractors: 0, total: 0, nps: null });
  });

  it("partnerNps: 5 promoters, 3 passives, 2 detractors → 30, counting only this partner's ratings and, with a range, only those in it", async () => {
    const p = await makePartner(db);
    const other = await makePartner(db, "Соседи");
    const scores = [10, 10, 9, 9, 9, 8, 7, 7, 6, 0];
    for (const [i, score] of scores.entries()) {
      const c = await makeClient(db);
      const { purchaseId } = await visit(p, c.clientId);
      await recordRating(db, { clientId: c.clientId, purchaseId, score }, fixedClock(addHours(t0, i)));
    }
    // Noise: another partner's detractor, and this partner's ratings outside the range.
    const c = await makeClient(db);
    await recordRating(db, { clientId: c.clientId, purchaseId: (await visit(other, c.clientId)).purchaseId, score: 0 }, fixedClock(addHours(t0, 1)));
    await recordRating(db, { clientId: c.clientId, purchaseId: (await visit(p, c.clientId)).purchaseId, score: 0 }, fixedClock(addDays(t0, -1)));
    await recordRating(db, { clientId: c.clientId, purchaseId: (await visit(p, c.clientId)).purchaseId, score: 0 }, fixedClock(addDays(t0, 1)));

    expect(await partnerNps(db, p.partnerId, { since: t0, until: addDays(t0, 1) })).toEqual({ promoters: 5, passives: 3, detractors: 2, total: 10, nps: 30 });
    // Without a range: 5 promoters, 3 passives, 4 detractors of 12 → 8.33 → 8.
    expect(await partnerNps(db, p.partnerId)).toEqual({ promoters: 5, passives: 3, detractors: 4, total: 12, nps: 8 });
    expect(await partnerNps(db, other.partnerId)).toMatchObject({ detractors: 1, total: 1, nps: -100 });
    const empty = await makePartner(db, "Пустой");
    expect((await partnerNps(db, empty.partnerId)).nps).toBeNull();
  });
});

describe("partnerStats over a fixed range", () => {
  it("turnover, checks, average, new vs returning clients, points issued/redeemed/outstanding, NPS; an undone accrual is excluded", async () => {
    await setSettings(db, { welcomeBonus: 0 });
    const range = { since: t0, until: addDays(t0, 7) };
    const at = (hours: number) => fixedClock(addHours(t0, hours));
    const p = await makePartner(db, "Кафе", fixedClock(addDays(t0, -60)));
    const q = await makePartner(db, "Соседнее кафе", fixedClock(addDays(t0, -60)));
    const staff = { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId };
    await updatePartnerSettings(db, { ...staff, patch: { welcomeBonus: 40 } });

    // A regular: first visit here before the range.
    const regular = await makeClient(db);
    await visit(p, regular.clientId, 100_000, fixedClock(addDays(t0, -10))); // 50 points, before the range
    const regularIn = await visit(p, regular.clientId, 200_000, at(1)); // 100
    // A newcomer here, although they had been to the neighbours before.
    const newcomer = await makeClient(db);
    await visit(q, newcomer.clientId, 20_000, fixedClock(addDays(t0, -5))); // at Q: not ours
    const newcomerIn = await visit(p, newcomer.clientId, 400_000, at(2)); // 200
    // A client who joined through this partner's link inside the range: their welcome bonus is ours.
    const { client: linked } = await registerClient(db, { telegramId: newTelegramId(), startPayload: `p_${p.partner.code}` }, { appSecret: testAppSecret, clock: at(24) });
    await visit(p, linked.id, 60_000, at(25)); // 30

    // A big check, then undone.
    const undone = await visit(p, newcomer.clientId, 1_000_000, at(3)); // 500
    const beforeUndo = await partnerStats(db, p.partnerId, range);
    expect(beforeUndo).toMatchObject({ turnoverKopecks: 1_660_000, checks: 4 });
    await undoOperation(db, { entryId: undone.ledgerEntryId!, actor: { kind: "staff", ...staff } }, at(4));

    // A redemption in the range.
    const req = await requestRedemption(db, { ...staff, clientId: newcomer.clientId, checkKopecks: 100_000, points: 20, idempotencyKey: "red-1" }, at(5));
    await confirmRedemption(db, { by: { kind: "client", clientId: newcomer.clientId, requestId: req.id }, decisionKey: "red-1-yes" }, at(5));

    // After the range: a check, a redemption and a rating that must not count.
    await visit(p, regular.clientId, 300_000, fixedClock(addDays(t0, 8))); // 150
    const late = await requestRedemption(db, { ...staff, clientId: regular.clientId, checkKopecks: 100_000, points: 10, idempotencyKey: "red-2" }, fixedClock(addDays(t0, 8)));
    await confirmRedemption(db, { by: { kind: "client", clientId: regular.clientId, requestId: late.id }, decisionKey: "red-2-yes" }, fixedClock(addDays(t0, 8)));

    // Ratings: one promoter and one detractor in the range, one detractor after it.
    await recordRating(db, { clientId: newcomer.clientId, purchaseId: newcomerIn.purchaseId, score: 9 }, at(6));
    await recordRating(db, { clientId: regular.clientId, purchaseId: regularIn.purchaseId, score: 3 }, at(6));
    const linkedLate = await visit(p, linked.id, 10_000, fixedClock(addDays(t0, 9)));
    await recordRating(db, { clientId: linked.id, purchaseId: linkedLate.purchaseId, score: 0 }, fixedClock(addDays(t0, 9)));

    const s = await partnerStats(db, p.partnerId, range);
    expect(s).toEqual({
      turnoverKopecks: 200_000 + 400_000 + 60_000,
      checks: 3,
      averageCheckKopecks: 220_000,
      newClients: 2, // the newcomer and the linked client
      returningClients: 1, // the regular
      pointsIssued: 100 + 200 + 500 + 30 + 40 - 500,
      pointsRedeemed: 20,
      // Everything issued here up to the end of the range minus what was redeemed here.
      pointsOutstanding: 50 + 100 + 200 + 500 + 30 + 40 - 500 - 20,
      nps: { promoters: 1, passives: 0, detractors: 1, total: 2, nps: 0 },
    });

    // The neighbour's numbers are its own.
    expect(await partnerStats(db, q.partnerId, range)).toMatchObject({ turnoverKopecks: 0, checks: 0, averageCheckKopecks: 0, newClients: 0, returningClients: 0, pointsIssued: 0, pointsOutstanding: 10 });
  });

  it("the average check is rounded to whole kopecks, and an empty period is all zeros with a null NPS", async () => {
    await setSettings(db, { welcomeBonus: 0 });
    const p = await makePartner(db);
    const c = await makeClient(db);
    await visit(p, c.clientId, 10_000, fixedClock(addMinutes(t0, 1)));
    await visit(p, c.clientId, 10_001, fixedClock(addMinutes(t0, 2)));
    await visit(p, c.clientId, 10_001, fixedClock(addMinutes(t0, 3)));
    expect(await partnerStats(db, p.partnerId, { since: t0, until: addDays(t0, 1) })).toMatchObject({ turnoverKopecks: 30_002, checks: 3, averageCheckKopecks: 10_001, newClients: 1, returningClients: 0 });
    // A check exactly at `until` belongs to the next period.
    await visit(p, c.clientId, 50_000, fixedClock(addDays(t0, 1)));
    expect(await partnerStats(db, p.partnerId, { since: t0, until: addDays(t0, 1) })).toMatchObject({ turnoverKopecks: 30_002, checks: 3 });
    expect(await partnerStats(db, p.partnerId, { since: addDays(t0, 1), until: addDays(t0, 2) })).toMatchObject({ turnoverKopecks: 50_000, checks: 1, newClients: 0, returningClients: 1 });
    expect(await partnerStats(db, p.partnerId, { since: addDays(t0, -30), until: addDays(t0, -1) })).toEqual({
      turnoverKopecks: 0,
      checks: 0,
      averageCheckKopecks: 0,
      newClients: 0,
      returningClients: 0,
      pointsIssued: 0,
      pointsRedeemed: 0,
      pointsOutstanding: 0,
      nps: { promoters: 0, passives: 0, detractors: 0, total: 0, nps: null },
    });
  });
});
