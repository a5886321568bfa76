import { describe, expect, it } from "vitest";
import { partnerStats } from "../../core/analytics/partner-stats.js";
import { addDays, addHours, fixedClock } from "../../core/clock.js";
import { addRatingComment, npsOf, partnerNps, recordRating } from "../../core/feedback/service.js";
import { accrue, confirmRedemption, requestRedemption, undoOperation } from "../../core/ledger/service.js";
import { rowCounts, useTestDb } from "../helpers/db.js";
import { makeClient, makePartner, setSettings } from "../helpers/fixtures.js";

const db = useTestDb();
const t0 = new Date("2026-03-01T10:00:00Z");

describe("NPS", () => {
  it("is % promoters (9–10) minus % detractors (0–6)", () => {
    expect(npsOf({ promoters: 5, passives: 3, detractors: 2 }).nps).toBe(30);
    expect(npsOf({ promoters: 0, passives: 0, detractors: 4 }).nps).toBe(-100);
    expect(npsOf({ promoters: 0, passives: 0, detractors: 0 }).nps).toBeNull();
  });

  it("one rating per visit: the same score again is a replay, another score is refused; a low score takes one comment", async () => {
    const p = await makePartner(db);
    const scores = [10, 9, 9, 8, 6, 3];
    const ids: number[] = [];
    for (const [i, score] of scores.entries()) {
      const c = await makeClient(db);
      const a = await accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: c.clientId, amountKopecks: 10_000, receiptNumber: `n${i}` });
      const r = await recordRating(db, { clientId: c.clientId, purchaseId: a.purchaseId, score });
      expect(r.asksForComment).toBe(score <= 6);
      expect(await recordRating(db, { clientId: c.clientId, purchaseId: a.purchaseId, score })).toMatchObject({ id: r.id, replayed: true });
      await expect(recordRating(db, { clientId: c.clientId, purchaseId: a.purchaseId, score: 5 === score ? 4 : 5 })).rejects.toMatchObject({ code: "ALREADY_RATED" });
      if (score === 3) {
        await addRatingComment(db, { clientId: c.clientId, ratingId: r.id, comment: "холодный кофе" });
        await expect(addRatingComment(db, { clientId: c.clientId, ratingId: r.id, comment: "ещё" })).rejects.toMatchObject({ code: "ALREADY_RATED" });
      }
      if (score === 10) await expect(addRatingComment(db, { clientId: c.clientId, ratingId: r.id, comment: "супер" })).rejects.toMatchObject({ code: "VALIDATION" });
      ids.push(a.purchaseId);
    }
    // 3 promoters, 1 passive, 2 detractors of 6: (3 - 2) / 6 = 17 %.
    expect(await partnerNps(db, p.partnerId)).toMatchObject({ promoters: 3, passives: 1, detractors: 2, total: 6, nps: 17 });
  });

  it("a visit of someone else, or a score outside 0–10, is refused and writes nothing", async () => {
    const p = await makePartner(db);
    const a = await makeClient(db);
    const b = await makeClient(db);
    const acc = await accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: a.clientId, amountKopecks: 10_000, receiptNumber: "x" });
    const before = await rowCounts(db);
    await expect(recordRating(db, { clientId: b.clientId, purchaseId: acc.purchaseId, score: 10 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    for (const score of [-1, 11, 5.5]) await expect(recordRating(db, { clientId: a.clientId, purchaseId: acc.purchaseId, score })).rejects.toMatchObject({ code: "VALIDATION" });
    expect(await rowCounts(db)).toEqual(before);
  });
});

describe("partner statistics", () => {
  it("turnover, checks, average, new vs returning, points issued/redeemed/outstanding; an undone check does not count", async () => {
    await setSettings(db, { welcomeBonus: 0 });
    const p = await makePartner(db, "Кафе", fixedClock(addDays(t0, -30)));
    const staff = { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId };
    const regular = await makeClient(db);
    const newcomer = await makeClient(db);
    // Before the period: the regular's first visit.
    await accrue(db, { ...staff, clientId: regular.clientId, amountKopecks: 100_000, receiptNumber: "old" }, fixedClock(addDays(t0, -10)));
    // In the period [t0, t0 + 7 d):
    await accrue(db, { ...staff, clientId: regular.clientId, amountKopecks: 200_000, receiptNumber: "a" }, fixedClock(addHours(t0, 1)));
    await accrue(db, { ...staff, clientId: newcomer.clientId, amountKopecks: 400_000, receiptNumber: "b" }, fixedClock(addHours(t0, 2)));
    const undone = await accrue(db, { ...staff, clientId: newcomer.clientId, amountKopecks: 1_000_000, receiptNumber: "c" }, fixedClock(addHours(t0, 3)));
    await undoOperation(db, { entryId: undone.ledgerEntryId!, actor: { kind: "staff", ...staff } }, fixedClock(addHours(t0, 4)));
    const req = await requestRedemption(db, { ...staff, clientId: newcomer.clientId, checkKopecks: 100_000, points: 20, idempotencyKey: "r" }, fixedClock(addHours(t0, 5)));
    await confirmRedemption(db, { by: { kind: "client", clientId: newcomer.clientId, requestId: req.id }, decisionKey: "k" }, fixedClock(addHours(t0, 5)));

    const s = await partnerStats(db, p.partnerId, { since: t0, until: addDays(t0, 7) });
    expect(s).toMatchObject({
      turnoverKopecks: 600_000,
      checks: 2,
      averageCheckKopecks: 300_000,
      newClients: 1,
      returningClients: 1,
      pointsIssued: 100 + 200, // 5 % of 2,000 ₽ and 4,000 ₽; the undone 500 are netted out
      pointsRedeemed: 20,
      pointsOutstanding: 50 + 100 + 200 - 20,
    });
  });
});
