import { describe, expect, it } from "vitest";
import { isDomainError } from "../../core/errors.js";
import { accrue, confirmRedemption, requestRedemption } from "../../core/ledger/service.js";
import { rowCounts, useTestDb } from "../helpers/db.js";
import { makeClient, makePartner, setSettings } from "../helpers/fixtures.js";

const db = useTestDb();

/** Each bad call must fail with its DomainError code and leave every table exactly as it was. */
async function expectRefusedWithoutWrites(call: () => Promise<unknown>, code: string) {
  const before = await rowCounts(db);
  const err = await call().then(
    () => new Error("expected a refusal"),
    (e: unknown) => e,
  );
  expect(isDomainError(err) ? err.code : err).toBe(code);
  expect(await rowCounts(db)).toEqual(before);
}

describe("bad input is refused with a code and writes nothing", () => {
  it.each([
    ["zero", 0, "VALIDATION"],
    ["negative", -100, "VALIDATION"],
    ["fractional kopecks", 100.5, "VALIDATION"],
    ["over 10,000,000 ₽", 1_000_000_001, "VALIDATION"],
    ["NaN", Number.NaN, "VALIDATION"],
    ["20 digits", 99_999_999_999_999_999_999, "VALIDATION"],
  ])("a check amount that is %s", async (_label, amountKopecks, code) => {
    await setSettings(db, { welcomeBonus: 0 });
    const p = await makePartner(db);
    const c = await makeClient(db, 10);
    await expectRefusedWithoutWrites(() => accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: c.clientId, amountKopecks, receiptNumber: "1" }), code);
  });

  it("exactly 10,000,000 ₽ is accepted", async () => {
    const p = await makePartner(db);
    const c = await makeClient(db);
    const r = await accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: c.clientId, amountKopecks: 1_000_000_000, receiptNumber: "max" });
    expect(r.points).toBe(500_000);
  });

  it.each([
    ["500 characters", "x".repeat(500)],
    ["empty", "   "],
    ["control characters", "12\u000034"],
  ])("a receipt number that is %s", async (_label, receiptNumber) => {
    const p = await makePartner(db);
    const c = await makeClient(db);
    await expectRefusedWithoutWrites(() => accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: c.clientId, amountKopecks: 10_000, receiptNumber }), "VALIDATION");
  });

  it("an unknown client", async () => {
    const p = await makePartner(db);
    await expectRefusedWithoutWrites(() => accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: 987_654, amountKopecks: 10_000, receiptNumber: "1" }), "CLIENT_NOT_FOUND");
  });

  it("someone not on the partner's staff", async () => {
    const p = await makePartner(db);
    const other = await makePartner(db, "Другой");
    const c = await makeClient(db);
    await expectRefusedWithoutWrites(() => accrue(db, { partnerId: p.partnerId, staffTelegramId: other.staffTelegramId, clientId: c.clientId, amountKopecks: 10_000, receiptNumber: "1" }), "FORBIDDEN");
  });

  it("a redemption of zero, negative or absurd points", async () => {
    const p = await makePartner(db);
    const c = await makeClient(db, 100);
    for (const points of [0, -5, 1.5]) {
      await expectRefusedWithoutWrites(() => requestRedemption(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: c.clientId, checkKopecks: 10_000, points, idempotencyKey: "k" }), "VALIDATION");
    }
  });

  it("a code that is not six digits, or for a request that does not exist", async () => {
    const p = await makePartner(db);
    const c = await makeClient(db, 100);
    const req = await requestRedemption(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: c.clientId, checkKopecks: 10_000, points: 10, idempotencyKey: "k" });
    const by = { kind: "partner" as const, partnerId: p.partnerId, staffTelegramId: p.staffTelegramId };
    await expectRefusedWithoutWrites(() => confirmRedemption(db, { by: { ...by, requestId: req.id, code: "12ab56" }, decisionKey: "k" }), "VALIDATION");
    await expectRefusedWithoutWrites(() => confirmRedemption(db, { by: { ...by, requestId: req.id + 1, code: "000000" }, decisionKey: "k" }), "REDEMPTION_NOT_FOUND");
    await expectRefusedWithoutWrites(() => confirmRedemption(db, { by: { ...by, requestId: -1, code: "000000" }, decisionKey: "k" }), "VALIDATION");
  });
});
