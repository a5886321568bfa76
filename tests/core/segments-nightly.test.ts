import { describe, expect, it } from "vitest";
import { recomputeSegments, segmentCounts, segmentMembers } from "../../core/analytics/nightly.js";
import type { CustomerCategory, RfmSegment } from "../../core/analytics/segments.js";
import { addDays, fixedClock } from "../../core/clock.js";
import { clientSegments } from "../../db/schema/index.js";
import { accrue, undoOperation } from "../../core/ledger/service.js";
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
