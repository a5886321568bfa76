import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { advanceLedgerTotals, ledgerTotalNear } from "../../core/analytics/ledger-totals.js";
import { overview } from "../../core/analytics/overview.js";
import { networkStats } from "../../core/analytics/network-stats.js";
import { partnerStats } from "../../core/analytics/partner-stats.js";
import { periodOf } from "../../core/analytics/period.js";
import { fixedClock } from "../../core/clock.js";
import { recordRating } from "../../core/feedback/service.js";
import { accrue, confirmRedemption, requestRedemption, undoOperation } from "../../core/ledger/service.js";
import { ledgerTotals } from "../../db/schema/index.js";
import { useTestDb } from "../helpers/db.js";
import { adminId, makeClient, makePartner } from "../helpers/fixtures.js";

const db = useTestDb();
const at = (iso: string) => fixedClock(iso);
const period = periodOf({ from: "2026-11-01", to: "2026-11-03" }, new Date("2026-11-10T12:00:00Z"));

/**
 * Bronze cashback 5 %, welcome bonus 100 (booked to the partner whose link the client came by).
 * Before the period (30 Oct): Anna joins by A's link (+100 at A) and buys at A for 1 000 ₽ (+50).
 * 1 Nov (Moscow): Clara joins at 00:30 Moscow = 31 Oct 21:30 UTC (+100, no partner); Boris joins (+100) and buys at
 *   B for 2 000 ₽ (+100); Anna buys at A for 600 ₽ (+30).
 * 2 Nov: Anna pays 40 points at B; Boris rates B 10, Anna rates A 3.
 * 3 Nov: an admin undoes Anna's 1 Nov check at A (−30; the check no longer stands).
 * After the period: Dave joins at 00:30 Moscow on 4 Nov (+100); Boris buys at B on 5 Nov (+50).
 */
async function story() {
  const a = await makePartner(db, "Кафе А", at("2026-10-20T12:00:00Z"));
  const b = await makePartner(db, "Кафе Б", at("2026-10-20T12:00:00Z"));
  const staffA = { partnerId: a.partnerId, staffTelegramId: a.staffTelegramId };
  const staffB = { partnerId: b.partnerId, staffTelegramId: b.staffTelegramId };
  const anna = await makeClient(db, 0, { startPayload: `p_${a.partner.code}`, clock: at("2026-10-30T12:00:00Z") });
  await accrue(db, { ...staffA, clientId: anna.clientId, amountKopecks: 100_000, receiptNumber: "a0" }, at("2026-10-30T12:00:00Z"));

  await makeClient(db, 0, { clock: at("2026-10-31T21:30:00Z") });
  const boris = await makeClient(db, 0, { clock: at("2026-11-01T12:00:00Z") });
  const borisCheck = await accrue(db, { ...staffB, clientId: boris.clientId, amountKopecks: 200_000, receiptNumber: "b1" }, at("2026-11-01T12:00:00Z"));
  const annaCheck = await accrue(db, { ...staffA, clientId: anna.clientId, amountKopecks: 60_000, receiptNumber: "a1" }, at("2026-11-01T13:00:00Z"));

  const day2 = at("2026-11-02T12:00:00Z");
  const request = await requestRedemption(db, { ...staffB, clientId: anna.clientId, checkKopecks: 20_000, points: 40, idempotencyKey: "r1" }, day2);
  await confirmRedemption(db, { by: { kind: "client", clientId: anna.clientId, requestId: request.id }, decisionKey: "d1" }, day2);
  await recordRating(db, { clientId: boris.clientId, purchaseId: borisCheck.purchaseId, score: 10 }, day2);
  await recordRating(db, { clientId: anna.clientId, purchaseId: annaCheck.purchaseId, score: 3 }, day2);

  await undoOperation(db, { entryId: annaCheck.ledgerEntryId!, actor: { kind: "admin", adminTelegramId: adminId }, reason: "ошибка" }, at("2026-11-03T12:00:00Z"));

  await makeClient(db, 0, { clock: at("2026-11-03T21:30:00Z") });
  await accrue(db, { ...staffB, clientId: boris.clientId, amountKopecks: 100_000, receiptNumber: "b2" }, at("2026-11-05T12:00:00Z"));
  return { a, b };
}

const day = (d: string, over: Partial<Record<string, number | null>>) => ({
  day: d,
  turnoverKopecks: 0,
  checks: 0,
  pointsIssued: 0,
  pointsRedeemed: 0,
  liability: 0,
  newClients: 0,
  nps: null,
  ...over,
});

describe("overview", () => {
  it("the network: every day of the period, liability at each day's end, boundaries in Moscow time", async () => {
    await story();
    const o = await overview(db, { partnerId: null, period });
    expect(o.days).toEqual([
      // Boris's check (Anna's was undone later, so it does not stand); bonuses 100 + 100 and cashback 100 + 30.
      day("2026-11-01", { turnoverKopecks: 200_000, checks: 1, pointsIssued: 330, liability: 150 + 330, newClients: 2 }),
      day("2026-11-02", { pointsRedeemed: 40, liability: 440, nps: 0 }),
      // The network counts issued and redeemed gross: the undo's −30 lowers the liability only.
      day("2026-11-03", { liability: 410 }),
    ]);
    expect(o).toMatchObject({
      from: "2026-11-01",
      to: "2026-11-03",
      totals: { turnoverKopecks: 200_000, checks: 1, pointsIssued: 330, pointsRedeemed: 40, liability: 410, newClients: 2, nps: 0, npsResponses: 2 },
    });
    // The same definitions as the admin bot's /stats.
    const stats = await networkStats(db, period);
    expect(o.totals).toMatchObject({ turnoverKopecks: stats.turnoverKopecks, checks: stats.checks, pointsIssued: stats.pointsIssued, pointsRedeemed: stats.pointsRedeemed, newClients: stats.newClients });
  });

  it("a partner: only its own checks, points net of undos, its outstanding points, clients new to it", async () => {
    const { a, b } = await story();
    const ofA = await overview(db, { partnerId: a.partnerId, period });
    expect(ofA.days).toEqual([
      day("2026-11-01", { pointsIssued: 30, liability: 180 }),
      day("2026-11-02", { liability: 180, nps: -100 }),
      day("2026-11-03", { pointsIssued: -30, liability: 150 }),
    ]);
    expect(ofA.totals).toEqual({ turnoverKopecks: 0, checks: 0, pointsIssued: 0, pointsRedeemed: 0, liability: 150, newClients: 0, nps: -100, npsResponses: 1 });

    const ofB = await overview(db, { partnerId: b.partnerId, period });
    expect(ofB.days).toEqual([
      day("2026-11-01", { turnoverKopecks: 200_000, checks: 1, pointsIssued: 100, liability: 100, newClients: 1 }),
      day("2026-11-02", { pointsRedeemed: 40, liability: 60, nps: 100 }),
      day("2026-11-03", { liability: 60 }),
    ]);
    expect(ofB.totals).toEqual({ turnoverKopecks: 200_000, checks: 1, pointsIssued: 100, pointsRedeemed: 40, liability: 60, newClients: 1, nps: 100, npsResponses: 1 });

    // The same definitions as the partner bot's /stats.
    for (const [partnerId, o] of [[a.partnerId, ofA], [b.partnerId, ofB]] as const) {
      const stats = await partnerStats(db, partnerId, period);
      expect(o.totals).toMatchObject({
        turnoverKopecks: stats.turnoverKopecks,
        checks: stats.checks,
        pointsIssued: stats.pointsIssued,
        pointsRedeemed: stats.pointsRedeemed,
        liability: stats.pointsOutstanding,
        newClients: stats.newClients,
        nps: stats.nps.nps,
        npsResponses: stats.nps.total,
      });
    }
  });

  it("an empty network has a row of zeros for every day", async () => {
    const o = await overview(db, { partnerId: null, period: periodOf({}, new Date("2026-11-24T12:00:00Z")) });
    expect(o.days).toHaveLength(30);
    expect(o.days.every((d) => d.checks === 0 && d.liability === 0 && d.nps === null)).toBe(true);
    expect(o.totals).toEqual({ turnoverKopecks: 0, checks: 0, pointsIssued: 0, pointsRedeemed: 0, liability: 0, newClients: 0, nps: null, npsResponses: 0 });
  });
});

describe("the nightly ledger totals", () => {
  const allOverviews = async (partners: number[]) => {
    const periods = [
      period, // 1–3 Nov
      periodOf({ from: "2026-10-25", to: "2026-10-31" }, new Date("2026-11-10T12:00:00Z")),
      periodOf({ from: "2026-10-31", to: "2026-11-02" }, new Date("2026-11-10T12:00:00Z")),
      periodOf({ from: "2026-11-04", to: "2026-11-06" }, new Date("2026-11-10T12:00:00Z")),
      periodOf({ from: "2026-10-20", to: "2026-11-09" }, new Date("2026-11-10T12:00:00Z")),
    ];
    const out = [];
    for (const p of periods) for (const partnerId of [null, ...partners]) out.push(await overview(db, { partnerId, period: p }));
    return out;
  };

  it("give the overview the same numbers as the whole ledger, whether the total falls before, inside or after the period", async () => {
    const { a, b } = await story();
    const partners = [a.partnerId, b.partnerId];
    const withoutTotals = await allOverviews(partners);
    // Runs at these instants total up to the Moscow midnight before them: 31 Oct (before the 1–3 Nov period, with
    // Clara's bonus of 00:30 that night after it), 2 Nov (inside it) and 6 Nov (after it, and after every row).
    for (const [runAt, asOf] of [
      ["2026-10-31T00:30:00Z", "2026-10-30T21:00:00.000Z"],
      ["2026-11-02T06:00:00Z", "2026-11-01T21:00:00.000Z"],
      ["2026-11-06T06:00:00Z", "2026-11-05T21:00:00.000Z"],
    ] as const) {
      await db.delete(ledgerTotals);
      expect(await advanceLedgerTotals(db, at(runAt))).toBe(3); // the network and both partners
      const total = await ledgerTotalNear(db, null, period);
      expect(total?.asOf.toISOString()).toBe(asOf);
      expect(await allOverviews(partners)).toEqual(withoutTotals);
    }
  });

  it("are what the overview's liability starts from", async () => {
    const { b } = await story();
    const before = await overview(db, { partnerId: b.partnerId, period });
    await advanceLedgerTotals(db, at("2026-11-02T06:00:00Z"));
    // A total off by 1 000 moves every day's liability by as much: the total is read, not the history.
    await db.update(ledgerTotals).set({ net: sql`${ledgerTotals.net} + 1000` }).where(eq(ledgerTotals.scopePartnerId, b.partnerId));
    const after = await overview(db, { partnerId: b.partnerId, period });
    expect(after.days.map((d) => d.liability)).toEqual(before.days.map((d) => d.liability + 1_000));
  });

  it("each night adds the day's rows to the previous total; a second run the same night writes nothing", async () => {
    const p = await makePartner(db, "Кафе", at("2026-11-01T09:00:00Z"));
    const staff = { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId };
    const c = await makeClient(db, 0, { clock: at("2026-11-01T09:00:00Z") }); // +100 welcome bonus, no partner
    await accrue(db, { ...staff, clientId: c.clientId, amountKopecks: 100_000, receiptNumber: "1" }, at("2026-11-01T10:00:00Z")); // +50
    const totals = async () =>
      (await db.select().from(ledgerTotals).orderBy(ledgerTotals.asOf, sql`${ledgerTotals.scopePartnerId} NULLS FIRST`)).map((t) => [t.asOf.toISOString(), t.scopePartnerId, t.net]);

    // 03:00 Moscow on 2 Nov: the totals as of midnight. A check at 00:30 Moscow, before the run, waits for the next night.
    await accrue(db, { ...staff, clientId: c.clientId, amountKopecks: 40_000, receiptNumber: "2" }, at("2026-11-01T21:30:00Z")); // +20
    expect(await advanceLedgerTotals(db, at("2026-11-02T00:00:00Z"))).toBe(2);
    expect(await totals()).toEqual([
      ["2026-11-01T21:00:00.000Z", null, 150],
      ["2026-11-01T21:00:00.000Z", p.partnerId, 50],
    ]);
    expect(await advanceLedgerTotals(db, at("2026-11-02T12:00:00Z"))).toBe(0);
    expect(await totals()).toHaveLength(2);

    // The next night: the previous totals plus 2 Nov's rows (the 00:30 check, a redemption at the partner).
    const request = await requestRedemption(db, { ...staff, clientId: c.clientId, checkKopecks: 20_000, points: 30, idempotencyKey: "r" }, at("2026-11-02T12:00:00Z"));
    await confirmRedemption(db, { by: { kind: "client", clientId: c.clientId, requestId: request.id }, decisionKey: "d" }, at("2026-11-02T12:00:00Z"));
    expect(await advanceLedgerTotals(db, at("2026-11-03T00:00:00Z"))).toBe(2);
    expect((await totals()).slice(2)).toEqual([
      ["2026-11-02T21:00:00.000Z", null, 150 + 20 - 30],
      ["2026-11-02T21:00:00.000Z", p.partnerId, 50 + 20 - 30],
    ]);
    // Incremental, yet equal to summing everything.
    const [sums] = await db.execute<{ network: string; partner: string }>(sql`
      SELECT sum(points) AS network, sum(points) FILTER (WHERE partner_id = ${p.partnerId}) AS partner FROM ledger_entries`);
    expect([Number(sums!.network), Number(sums!.partner)]).toEqual([140, 40]);
  });
});
