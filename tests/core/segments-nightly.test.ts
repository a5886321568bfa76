import { describe, expect, it } from "vitest";
import { clientNumbers, recomputeSegments, segmentCounts, segmentMembers } from "../../core/analytics/nightly.js";
import { broadcastRecipients } from "../../core/broadcasts/service.js";
import type { CustomerCategory, RfmSegment } from "../../core/analytics/segments.js";
import { addDays, fixedClock } from "../../core/clock.js";
import { clientSegments } from "../../db/schema/index.js";
import { accrue, confirmRedemption, requestRedemption, undoOperation } from "../../core/ledger/service.js";
import { useTestDb } from "../helpers/db.js";
import { makeClient, makePartner } from "../helpers/fixtures.js";

const db = useTestDb();
const now = new Date("2026-11-24T00:00:00Z");

/** Purchase histories (days ago, rubles) that land a client in each segment, and the category that follows. */
const histories: [RfmSegment, CustomerCategory, [number, number][]][] = [
  ["champions", "regular", [[1, 5_000], [2, 5_000], [3, 5_000], [4, 5_000], [5, 5_000]]],
  ["loyal", "regular", [[100, 1_000], [101, 1_000], [102, 1_000], [103, 1_000], [104, 1_000]]],
  ["potential_loyalists", "new", [[1, 100], [2, 100]]],
  ["new", "vip", [[1, 150_000]]],
  ["promising", "new", [[60, 100]]],
  ["need_attention", "new", [[120, 100]]],
  ["at_risk", "inactive", [[200, 100], [201, 100], [202, 100]]],
  ["cannot_lose", "inactive", [[300, 5_000], [301, 5_000], [302, 5_000], [303, 5_000], [304, 5_000]]],
  ["hibernating", "inactive", [[250, 100]]],
  ["lost", "inactive", [[400, 100]]],
];

describe("nightly categories and RFM", () => {
  it("every segment is reached by a real purchase history; counts and members are per network and per partner", async () => {
    const p = await makePartner(db, "Кафе", fixedClock(addDays(now, -500)));
    const other = await makePartner(db, "Салон", fixedClock(addDays(now, -500)));
    const expected = new Map<number, [RfmSegment, CustomerCategory]>();
    let receipt = 0;
    for (const [segment, category, history] of histories) {
      const c = await makeClient(db, 0, { clock: fixedClock(addDays(now, -500)) });
      for (const [daysAgo, rubles] of history) {
        await accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: c.clientId, amountKopecks: rubles * 100, receiptNumber: `s${receipt++}` }, fixedClock(addDays(now, -daysAgo)));
      }
      expected.set(c.clientId, [segment, category]);
    }
    // An undone check does not count: this client stays "new" rather than becoming a potential loyalist.
    const undone = await makeClient(db);
    await accrue(db, { partnerId: other.partnerId, staffTelegramId: other.staffTelegramId, clientId: undone.clientId, amountKopecks: 10_000, receiptNumber: "u1" }, fixedClock(addDays(now, -2)));
    const second = await accrue(db, { partnerId: other.partnerId, staffTelegramId: other.staffTelegramId, clientId: undone.clientId, amountKopecks: 10_000, receiptNumber: "u2" }, fixedClock(addDays(now, -1)));
    await undoOperation(db, { entryId: second.ledgerEntryId!, actor: { kind: "admin", adminTelegramId: 1 } }, fixedClock(addDays(now, -1)));

    const written = await recomputeSegments(db, fixedClock(now));
    expect(written).toBe(2 * (histories.length + 1)); // network-wide and per partner, one partner each
    const rows = await db.select().from(clientSegments);
    for (const [clientId, [segment, category]] of expected) {
      const mine = rows.filter((r) => r.clientId === clientId);
      expect(mine.map((r) => [r.partnerId, r.segment, r.category]).sort()).toEqual([[null, segment, category], [p.partnerId, segment, category]].sort());
    }
    expect(rows.filter((r) => r.clientId === undone.clientId).map((r) => r.segment)).toEqual(["new", "new"]);

    const network = await segmentCounts(db, { partnerId: null });
    expect(network.computedOn).toBe("2026-11-24");
    expect(network.segments).toMatchObject({ champions: 1, new: 2, lost: 1, cannot_lose: 1 });
    expect(Object.values(network.segments).reduce((a, b) => a + (b ?? 0), 0)).toBe(histories.length + 1);
    expect((await segmentCounts(db, { partnerId: other.partnerId })).segments).toEqual({ new: 1 });
    const atRisk = await segmentMembers(db, { partnerId: p.partnerId, segment: "at_risk" });
    expect(atRisk).toEqual([[...expected].find(([, [s]]) => s === "at_risk")![0]]);

    // Running again the same day replaces that day's rows rather than adding to them.
    await recomputeSegments(db, fixedClock(now));
    expect(await db.select().from(clientSegments)).toHaveLength(written);
  });
});

describe("clients with no purchase, and each client's numbers", () => {
  it("every client is categorised network-wide (New with no purchase); per partner, its own clients only; a 'new' broadcast reaches them", async () => {
    const joinedLongAgo = fixedClock(addDays(now, -400));
    const p = await makePartner(db, "Кафе", joinedLongAgo);
    const other = await makePartner(db, "Салон", joinedLongAgo);
    const newcomer = await makeClient(db, 0, { clock: fixedClock(addDays(now, -1)) });
    const sleeper = await makeClient(db, 0, { clock: joinedLongAgo });
    const viaLink = await makeClient(db, 0, { startPayload: `p_${p.partner.code}`, clock: fixedClock(addDays(now, -3)) });

    expect(await recomputeSegments(db, fixedClock(now))).toBe(4); // three network-wide rows and viaLink's at its partner
    const rows = await db.select().from(clientSegments);
    const row = (clientId: number, partnerId: number | null) => rows.find((r) => r.clientId === clientId && r.partnerId === partnerId);
    expect(row(newcomer.clientId, null)).toMatchObject({ category: "new", segment: "new", purchases: 0, totalKopecks: 0, averageCheckKopecks: 0, lastPurchaseAt: null, ltvKopecks: 0, recency: 5, frequency: 1, monetary: 1 });
    // R counts from the day they joined: a year without a purchase is "lost", yet the category stays New.
    expect(row(sleeper.clientId, null)).toMatchObject({ category: "new", segment: "lost", recency: 1 });
    expect(row(viaLink.clientId, p.partnerId)).toMatchObject({ category: "new", segment: "new", purchases: 0, lastPurchaseAt: null });
    expect(row(viaLink.clientId, other.partnerId)).toBeUndefined();
    expect(rows.filter((r) => r.partnerId === other.partnerId)).toEqual([]);

    expect((await segmentCounts(db, { partnerId: null })).categories).toEqual({ new: 3 });
    const admin = await broadcastRecipients(db, { kind: "admin", telegramId: 1 }, { category: "new" });
    expect(admin.map((r) => r.clientId).sort()).toEqual([newcomer.clientId, sleeper.clientId, viaLink.clientId].sort());
    const partner = await broadcastRecipients(db, { kind: "partner", partnerId: p.partnerId, staffTelegramId: p.staffTelegramId }, { category: "new" });
    expect(partner.map((r) => r.clientId)).toEqual([viaLink.clientId]);
    expect(await broadcastRecipients(db, { kind: "partner", partnerId: other.partnerId, staffTelegramId: other.staffTelegramId }, { category: "new" })).toEqual([]);
  });

  it("stores purchases, total, average check, last purchase and LTV (spend less points paid with, undone ones excluded), network-wide and per partner", async () => {
    const p = await makePartner(db, "Кафе", fixedClock(addDays(now, -30)));
    const other = await makePartner(db, "Салон", fixedClock(addDays(now, -30)));
    const c = await makeClient(db, 500, { clock: fixedClock(addDays(now, -30)) });
    const buy = (partner: typeof p, rubles: number, receipt: string, daysAgo: number) =>
      accrue(db, { partnerId: partner.partnerId, staffTelegramId: partner.staffTelegramId, clientId: c.clientId, amountKopecks: rubles * 100, receiptNumber: receipt }, fixedClock(addDays(now, -daysAgo)));
    await buy(p, 1_000, "a", 10);
    await buy(p, 2_001, "b", 5);
    await buy(other, 500, "c", 2);
    const redeem = async (partner: typeof p, points: number, key: string) => {
      const request = await requestRedemption(db, { partnerId: partner.partnerId, staffTelegramId: partner.staffTelegramId, clientId: c.clientId, checkKopecks: 100_000, points, idempotencyKey: key }, fixedClock(addDays(now, -1)));
      return confirmRedemption(db, { by: { kind: "client", clientId: c.clientId, requestId: request.id }, decisionKey: `d-${key}` }, fixedClock(addDays(now, -1)));
    };
    await redeem(p, 100, "r1");
    const undone = await redeem(other, 50, "r2");
    await undoOperation(db, { entryId: undone.ledgerEntry!.id, actor: { kind: "admin", adminTelegramId: 1 } }, fixedClock(addDays(now, -1)));

    await recomputeSegments(db, fixedClock(now));
    expect(await clientNumbers(db, { clientId: c.clientId, partnerId: null })).toEqual({
      computedOn: "2026-11-24",
      purchases: 3,
      totalKopecks: 350_100,
      averageCheckKopecks: 116_700,
      lastPurchaseAt: addDays(now, -2),
      ltvKopecks: 350_100 - 100 * 100,
      category: "regular",
      segment: "potential_loyalists",
    });
    expect(await clientNumbers(db, { clientId: c.clientId, partnerId: p.partnerId })).toMatchObject({ purchases: 2, totalKopecks: 300_100, averageCheckKopecks: 150_050, lastPurchaseAt: addDays(now, -5), ltvKopecks: 300_100 - 10_000, category: "new" });
    expect(await clientNumbers(db, { clientId: c.clientId, partnerId: other.partnerId })).toMatchObject({ purchases: 1, totalKopecks: 50_000, ltvKopecks: 50_000 });
    const stranger = await makePartner(db, "Чужой");
    expect(await clientNumbers(db, { clientId: c.clientId, partnerId: stranger.partnerId })).toBeNull();
  });
});
