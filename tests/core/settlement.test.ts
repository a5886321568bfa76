import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { partners } from "../../db/schema/index.js";
import { periodOf } from "../../core/analytics/period.js";
import { settlement, settlementCsv } from "../../core/analytics/settlement.js";
import { fixedClock } from "../../core/clock.js";
import { accrue, adjustBalance, confirmRedemption, requestRedemption, undoOperation } from "../../core/ledger/service.js";
import { useTestDb } from "../helpers/db.js";
import { adminId, makeClient, makePartner, setSettings } from "../helpers/fixtures.js";

const db = useTestDb();
const inPeriod = fixedClock("2026-11-10T12:00:00Z");
const period = periodOf({ from: "2026-11-01", to: "2026-11-30" }, new Date("2026-12-01T12:00:00Z"));

async function redeem(staff: { partnerId: number; staffTelegramId: number }, clientId: number, points: number, key: string) {
  const request = await requestRedemption(db, { ...staff, clientId, checkKopecks: 100_000, points, idempotencyKey: key }, inPeriod);
  return confirmRedemption(db, { by: { kind: "client", clientId, requestId: request.id }, decisionKey: `d-${key}` }, inPeriod);
}

describe("settlement", () => {
  it("A issued 150 points and B took 100 of them: A owes the network 150, the network owes B 100", async () => {
    await setSettings(db, { welcomeBonus: 0 });
    const a = await makePartner(db, "Кафе А");
    const b = await makePartner(db, "Кафе Б");
    const anna = await makeClient(db);
    await accrue(db, { partnerId: a.partnerId, staffTelegramId: a.staffTelegramId, clientId: anna.clientId, amountKopecks: 300_000, receiptNumber: "1" }, inPeriod);
    await redeem({ partnerId: b.partnerId, staffTelegramId: b.staffTelegramId }, anna.clientId, 100, "r1");
    const report = await settlement(db, { period });
    expect(report).toEqual({
      rows: [
        { partnerId: a.partnerId, partnerName: "Кафе А", issued: 150, redeemedHere: 0, net: 150 },
        { partnerId: b.partnerId, partnerName: "Кафе Б", issued: 0, redeemedHere: 100, net: -100 },
      ],
      totals: { issued: 150, redeemedHere: 100, net: 50 },
    });
    expect(settlementCsv(report, "en")).toBe(
      "\uFEFFpartner_id,partner_name,issued,redeemed_here,net\r\n" +
        `${a.partnerId},Кафе А,150,0,150\r\n` +
        `${b.partnerId},Кафе Б,0,100,-100\r\n` +
        ",Total,150,100,50\r\n",
    );
    expect(settlementCsv(report, "ru").endsWith(",Итого,150,100,50\r\n")).toBe(true);
  });

  it("undos, bonuses, blocked partners, the period's edges; adjustments and quiet partners are not settled", async () => {
    const a = await makePartner(db, "Альфа");
    const b = await makePartner(db, "Бета");
    const quiet = await makePartner(db, "Гамма");
    const staffA = { partnerId: a.partnerId, staffTelegramId: a.staffTelegramId };
    const staffB = { partnerId: b.partnerId, staffTelegramId: b.staffTelegramId };
    // Joined by B's link before the period: B's welcome bonus (100) is not in it.
    const anna = await makeClient(db, 0, { startPayload: `p_${b.partner.code}`, clock: fixedClock("2026-10-31T20:59:59Z") });
    // Joined by A's link at 00:00 Moscow on 1 Nov: A's welcome bonus (100) is.
    const boris = await makeClient(db, 0, { startPayload: `p_${a.partner.code}`, clock: fixedClock("2026-10-31T21:00:00Z") });
    const first = await accrue(db, { ...staffA, clientId: anna.clientId, amountKopecks: 200_000, receiptNumber: "1" }, inPeriod); // +100
    await accrue(db, { ...staffA, clientId: boris.clientId, amountKopecks: 100_000, receiptNumber: "2" }, inPeriod); // +50
    await undoOperation(db, { entryId: first.ledgerEntryId!, actor: { kind: "admin", adminTelegramId: adminId } }, inPeriod); // −100
    const paid = await redeem(staffB, boris.clientId, 30, "r1");
    await redeem(staffB, boris.clientId, 20, "r2");
    await undoOperation(db, { entryId: paid.ledgerEntry!.id, actor: { kind: "admin", adminTelegramId: adminId } }, inPeriod); // +30 back
    await adjustBalance(db, { adminTelegramId: adminId, clientId: anna.clientId, points: 500, reason: "подарок", idempotencyKey: "adj-1" }, inPeriod);
    // After the period (00:00 Moscow on 1 Dec).
    await accrue(db, { partnerId: quiet.partnerId, staffTelegramId: quiet.staffTelegramId, clientId: anna.clientId, amountKopecks: 100_000, receiptNumber: "3" }, fixedClock("2026-11-30T21:00:00Z"));
    await db.update(partners).set({ status: "blocked" }).where(eq(partners.id, b.partnerId));

    const report = await settlement(db, { period });
    expect(report).toEqual({
      rows: [
        { partnerId: a.partnerId, partnerName: "Альфа", issued: 100 + 100 + 50 - 100, redeemedHere: 0, net: 150 },
        { partnerId: b.partnerId, partnerName: "Бета", issued: 0, redeemedHere: 20, net: -20 },
      ],
      totals: { issued: 150, redeemedHere: 20, net: 130 },
    });
  });

  it("formula-looking partner names are defused in the CSV", () => {
    const csv = settlementCsv({ rows: [{ partnerId: 7, partnerName: '=HYPERLINK("x"),1', issued: 5, redeemedHere: 10, net: -5 }], totals: { issued: 5, redeemedHere: 10, net: -5 } }, "en");
    expect(csv.split("\r\n")[1]).toBe(`7,"'=HYPERLINK(""x""),1",5,10,-5`);
  });
});
