import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { clients } from "../../db/schema/index.js";
import { broadcastAudienceSize, createBroadcast } from "../../core/broadcasts/service.js";
import { submitService } from "../../core/catalog/service.js";
import { findClientForStaff, registerClientByPhone } from "../../core/clients/service.js";
import { isDomainError } from "../../core/errors.js";
import { accrue, cancelRedemption, requestRedemption, undoOperation } from "../../core/ledger/service.js";
import { addStaff, removeStaff, setPartnerBlocked, updatePartnerSettings } from "../../core/partners/service.js";
import { deletePromotion } from "../../core/promotions/service.js";
import { rowCounts, useTestDb } from "../helpers/db.js";
import { adminId, makeClient, makePartner, newTelegramId } from "../helpers/fixtures.js";

const db = useTestDb();

async function refusedWithoutWrites(call: () => Promise<unknown>): Promise<string> {
  const before = await rowCounts(db);
  const err = await call().then(
    () => new Error("expected a refusal"),
    (e: unknown) => e,
  );
  expect(await rowCounts(db)).toEqual(before);
  return isDomainError(err) ? err.code : String(err);
}

/** A partner with a cashier who worked (an accrual, a pending redemption) and was then removed by the owner. */
async function removedCashier() {
  const p = await makePartner(db);
  const cashier = newTelegramId();
  await addStaff(db, { partnerId: p.partnerId, ownerTelegramId: p.staffTelegramId, telegramId: cashier });
  const c = await makeClient(db, 500);
  const acc = await accrue(db, { partnerId: p.partnerId, staffTelegramId: cashier, clientId: c.clientId, amountKopecks: 100_000, receiptNumber: "1" });
  const req = await requestRedemption(db, { partnerId: p.partnerId, staffTelegramId: cashier, clientId: c.clientId, checkKopecks: 100_000, points: 10, idempotencyKey: "r1" });
  // Still on the staff: the staff-only lookups work.
  expect(await findClientForStaff(db, { partnerId: p.partnerId, staffTelegramId: cashier }, { phone: "+79165550000" })).toBeNull();
  await removeStaff(db, { partnerId: p.partnerId, ownerTelegramId: p.staffTelegramId, telegramId: cashier });
  return { p, cashier, staff: { partnerId: p.partnerId, staffTelegramId: cashier }, c, acc, req };
}

describe("a cashier removed from the staff is refused by every use-case that acts for staff, and nothing is written", () => {
  it("client lookups (phone, client code, id) and registering a phone", async () => {
    const { staff, c } = await removedCashier();
    for (const lookup of [{ phone: "+79160000001" }, { code: c.client.referralCode }, { id: c.clientId }]) {
      expect(await refusedWithoutWrites(() => findClientForStaff(db, staff, lookup))).toBe("FORBIDDEN");
    }
    expect(await refusedWithoutWrites(() => registerClientByPhone(db, { ...staff, phone: "+79161112233" }))).toBe("FORBIDDEN");
    expect(await db.select().from(clients).where(eq(clients.phone, "+79161112233"))).toHaveLength(0);
    // Even for a phone that is already a client (the registration would only have returned it).
    const other = await makePartner(db, "Другое");
    await registerClientByPhone(db, { partnerId: other.partnerId, staffTelegramId: other.staffTelegramId, phone: "+79161112244" });
    expect(await refusedWithoutWrites(() => registerClientByPhone(db, { ...staff, phone: "+79161112244" }))).toBe("FORBIDDEN");
  });

  it("money: accrual, redemption request and cancel, undo", async () => {
    const { staff, c, acc, req } = await removedCashier();
    expect(await refusedWithoutWrites(() => accrue(db, { ...staff, clientId: c.clientId, amountKopecks: 10_000, receiptNumber: "2" }))).toBe("FORBIDDEN");
    expect(await refusedWithoutWrites(() => requestRedemption(db, { ...staff, clientId: c.clientId, checkKopecks: 100_000, points: 10, idempotencyKey: "r2" }))).toBe("FORBIDDEN");
    expect(await refusedWithoutWrites(() => cancelRedemption(db, { ...staff, requestId: req.id }))).toBe("FORBIDDEN");
    expect(await refusedWithoutWrites(() => undoOperation(db, { entryId: acc.ledgerEntryId!, actor: { kind: "staff", ...staff } }))).toBe("FORBIDDEN");
  });

  it("catalog, broadcasts and settings", async () => {
    const { staff, p } = await removedCashier();
    // Even an owner's permission for cashiers to broadcast does not cover someone no longer on the staff.
    await updatePartnerSettings(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, patch: { cashiersMayBroadcast: true } });
    expect(await refusedWithoutWrites(() => submitService(db, { ...staff, name: "Латте", description: "Кофе с молоком", priceKopecks: 20_000 }))).toBe("FORBIDDEN");
    expect(await refusedWithoutWrites(() => deletePromotion(db, { ...staff, promotionId: 1 }))).toBe("FORBIDDEN");
    const sender = { kind: "partner" as const, ...staff };
    expect(await refusedWithoutWrites(() => broadcastAudienceSize(db, sender, {}))).toBe("FORBIDDEN");
    expect(await refusedWithoutWrites(() => createBroadcast(db, { sender, audience: {}, text: "Скидки", progressChatId: staff.staffTelegramId, idempotencyKey: "b1" }))).toBe("FORBIDDEN");
    expect(await refusedWithoutWrites(() => updatePartnerSettings(db, { ...staff, patch: { welcomeBonus: 50 } }))).toBe("FORBIDDEN");
  });

  it("staff of a partner blocked since are refused too (PARTNER_NOT_ACTIVE)", async () => {
    const p = await makePartner(db);
    await setPartnerBlocked(db, { adminTelegramId: adminId, partnerId: p.partnerId, blocked: true, reason: "проверка" });
    const staff = { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId };
    expect(await refusedWithoutWrites(() => findClientForStaff(db, staff, { phone: "+79160000001" }))).toBe("PARTNER_NOT_ACTIVE");
    expect(await refusedWithoutWrites(() => registerClientByPhone(db, { ...staff, phone: "+79161112233" }))).toBe("PARTNER_NOT_ACTIVE");
  });
});
