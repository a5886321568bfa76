import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { clients } from "../../db/schema/index.js";
import { recomputeSegments } from "../../core/analytics/nightly.js";
import { clientCard, isClientOfPartner, searchClients } from "../../core/clients/directory.js";
import { fixedClock } from "../../core/clock.js";
import { accrue, confirmRedemption, requestRedemption, undoOperation } from "../../core/ledger/service.js";
import { useTestDb } from "../helpers/db.js";
import { adminId, makeClient, makePartner, setSettings } from "../helpers/fixtures.js";

const db = useTestDb();
const t0 = new Date("2026-11-01T10:00:00Z");
const clock = fixedClock(t0);

async function network() {
  await setSettings(db, { welcomeBonus: 0 });
  const a = await makePartner(db, "Кафе А", clock);
  const b = await makePartner(db, "Кафе Б", clock);
  const anna = await makeClient(db, 0, { clock });
  const boris = await makeClient(db, 0, { clock: fixedClock("2026-11-02T10:00:00Z") });
  const viaA = await makeClient(db, 0, { startPayload: `p_${a.partner.code}`, clock: fixedClock("2026-11-03T10:00:00Z") });
  const undone = await makeClient(db, 0, { clock: fixedClock("2026-11-04T10:00:00Z") });
  await db.update(clients).set({ firstName: "Анна", username: "anna_k", phone: "+79161234504" }).where(eq(clients.id, anna.clientId));
  await db.update(clients).set({ firstName: "Борис", phone: "+79035550011" }).where(eq(clients.id, boris.clientId));
  await db.update(clients).set({ firstName: "Вера" }).where(eq(clients.id, viaA.clientId));
  await db.update(clients).set({ firstName: "Глеб" }).where(eq(clients.id, undone.clientId));
  const staffA = { partnerId: a.partnerId, staffTelegramId: a.staffTelegramId };
  await accrue(db, { ...staffA, clientId: anna.clientId, amountKopecks: 200_000, receiptNumber: "a1" }, clock);
  await accrue(db, { partnerId: b.partnerId, staffTelegramId: b.staffTelegramId, clientId: boris.clientId, amountKopecks: 100_000, receiptNumber: "b1" }, clock);
  await accrue(db, { partnerId: b.partnerId, staffTelegramId: b.staffTelegramId, clientId: anna.clientId, amountKopecks: 50_000, receiptNumber: "b2" }, clock);
  // Glebs only check at A was undone: he is not A's client.
  const g = await accrue(db, { ...staffA, clientId: undone.clientId, amountKopecks: 10_000, receiptNumber: "a2" }, clock);
  await undoOperation(db, { entryId: g.ledgerEntryId!, actor: { kind: "admin", adminTelegramId: adminId }, reason: "ошибка" }, clock);
  return { a, b, anna, boris, viaA, undone, staffA };
}

describe("searchClients", () => {
  it("an admin sees every active or blocked client newest first, with balances; deleted and merged are left out", async () => {
    const n = await network();
    const ghost = await makeClient(db, 0, { clock: fixedClock("2026-11-05T10:00:00Z") });
    await db.update(clients).set({ status: "deleted" }).where(eq(clients.id, ghost.clientId));
    await db.update(clients).set({ status: "blocked" }).where(eq(clients.id, n.boris.clientId));
    const all = await searchClients(db, { partnerId: null, page: 1 });
    expect(all.total).toBe(4);
    expect(all.items.map((c) => c.firstName)).toEqual(["Глеб", "Вера", "Борис", "Анна"]);
    expect(all.items[3]).toEqual({ id: n.anna.clientId, firstName: "Анна", phone: "+79161234504", status: "active", balance: 125, category: null, segment: null, joinedAt: t0 });
    expect(all.items[2]).toMatchObject({ status: "blocked", balance: 50 });
    const page2 = await searchClients(db, { partnerId: null, page: 2, pageSize: 3 });
    expect(page2).toMatchObject({ total: 4, items: [{ firstName: "Анна" }] });
    expect(await searchClients(db, { partnerId: null, page: 3, pageSize: 3 })).toEqual({ items: [], total: 4 });
  });

  it("a partner sees only its scope: joined through its link or a standing check there", async () => {
    const n = await network();
    const ofA = await searchClients(db, { partnerId: n.a.partnerId, page: 1 });
    expect(ofA.items.map((c) => c.firstName)).toEqual(["Вера", "Анна"]);
    expect(ofA.total).toBe(2);
    expect((await searchClients(db, { partnerId: n.b.partnerId, page: 1 })).items.map((c) => c.firstName)).toEqual(["Борис", "Анна"]);
    expect(await isClientOfPartner(db, n.viaA.clientId, n.a.partnerId)).toBe(true);
    expect(await isClientOfPartner(db, n.boris.clientId, n.a.partnerId)).toBe(false);
    expect(await isClientOfPartner(db, n.undone.clientId, n.a.partnerId)).toBe(false);
  });

  it("q matches phone digits in any format, a name or username in part, or a referral code; wildcards are letters", async () => {
    const n = await network();
    const names = async (q: string, partnerId: number | null = null) => (await searchClients(db, { partnerId, q, page: 1 })).items.map((c) => c.firstName);
    expect(await names("1234")).toEqual(["Анна"]);
    expect(await names("+7 (916) 123")).toEqual(["Анна"]);
    expect(await names("555 00")).toEqual(["Борис"]);
    expect(await names("8 (903) 555-00-11")).toEqual(["Борис"]);
    expect(await names("анн")).toEqual(["Анна"]);
    expect(await names("@ANNA_")).toEqual(["Анна"]);
    expect(await names(n.viaA.client.referralCode.toLowerCase())).toEqual(["Вера"]);
    expect(await names("%")).toEqual([]);
    expect(await names("_")).toEqual(["Анна"]); // only anna_k has an underscore
    expect(await names("Борис", n.a.partnerId)).toEqual([]);
  });

  it("a partner finds a client by the whole phone number only: parts would reveal the digits its view masks", async () => {
    const n = await network();
    const names = async (q: string) => (await searchClients(db, { partnerId: n.b.partnerId, q, page: 1 })).items.map((c) => c.firstName);
    expect(await names("79161234")).toEqual([]);
    expect(await names("1234504")).toEqual([]);
    expect(await names("+7 916 123-45-04")).toEqual(["Анна"]);
    expect(await names("89161234504")).toEqual(["Анна"]);
  });

  it("filters by category and segment from the latest analytics of the caller's scope", async () => {
    const n = await network();
    await recomputeSegments(db, fixedClock("2026-11-06T10:00:00Z"));
    const all = await searchClients(db, { partnerId: null, page: 1 });
    // Two checks five days ago: F = 2, R = 5.
    expect(all.items.find((c) => c.id === n.anna.clientId)).toMatchObject({ category: "new", segment: "potential_loyalists" });
    expect(all.items.find((c) => c.id === n.boris.clientId)).toMatchObject({ category: "new", segment: "new" });
    const newAtA = await searchClients(db, { partnerId: n.a.partnerId, category: "new", page: 1 });
    expect(newAtA.items.map((c) => c.firstName)).toEqual(["Вера", "Анна"]);
    expect((await searchClients(db, { partnerId: null, segment: "new", page: 1 })).items.map((c) => c.firstName)).toEqual(["Глеб", "Вера", "Борис"]);
    // At A, Anna has one check: "new" there.
    expect((await searchClients(db, { partnerId: n.a.partnerId, segment: "new", page: 1 })).items.map((c) => c.firstName)).toEqual(["Вера", "Анна"]);
    expect((await searchClients(db, { partnerId: n.a.partnerId, segment: "potential_loyalists", page: 1 })).total).toBe(0);
    expect((await searchClients(db, { partnerId: null, segment: "lost", page: 1 })).total).toBe(0);
    expect((await searchClients(db, { partnerId: null, category: "vip", page: 1 })).total).toBe(0);
  });
});

describe("clientCard", () => {
  it("an admin sees everything, with undoable operations; LTV and segment from the latest analytics", async () => {
    const n = await network();
    const req = await requestRedemption(db, { ...n.staffA, clientId: n.anna.clientId, checkKopecks: 10_000, points: 20, idempotencyKey: "r1" }, clock);
    await confirmRedemption(db, { by: { kind: "client", clientId: n.anna.clientId, requestId: req.id }, decisionKey: "d1" }, clock);
    await recomputeSegments(db, fixedClock("2026-11-06T10:00:00Z"));
    const card = await clientCard(db, { clientId: n.anna.clientId, partnerId: null }, clock);
    expect(card.client).toEqual({ id: n.anna.clientId, firstName: "Анна", phone: "+79161234504", status: "active", balance: 105, category: "new", segment: "potential_loyalists", joinedAt: t0, tier: "bronze", username: "anna_k", language: "ru" });
    // 2 500 ₽ spent, 20 points (2 000 kopecks) paid with.
    expect(card.numbers).toMatchObject({ purchases: 2, totalKopecks: 250_000, ltvKopecks: 248_000, computedOn: "2026-11-06" });
    expect(card.purchases.map((p) => [p.partnerName, p.receiptNumber, p.amountKopecks, p.pointsAccrued])).toEqual([
      ["Кафе Б", "b2", 50_000, 25],
      ["Кафе А", "a1", 200_000, 100],
    ]);
    expect(card.ledger.map((e) => [e.kind, e.points, e.balanceAfter, e.partnerName, e.undoable])).toEqual([
      ["redemption", -20, 105, "Кафе А", true],
      ["accrual", 25, 125, "Кафе Б", true],
      ["accrual", 100, 100, "Кафе А", true],
    ]);
    const glebs = await clientCard(db, { clientId: n.undone.clientId, partnerId: null }, clock);
    expect(glebs.ledger.map((e) => [e.kind, e.undoable, e.reason])).toEqual([
      ["reversal", false, "ошибка"],
      ["accrual", false, null],
    ]);
    expect(glebs.purchases[0]!.cancelledAt).toEqual(t0);
  });

  it("a partner sees only its own checks and rows, never undoable, and its own numbers; not its client is FORBIDDEN", async () => {
    const n = await network();
    await recomputeSegments(db, fixedClock("2026-11-06T10:00:00Z"));
    const card = await clientCard(db, { clientId: n.anna.clientId, partnerId: n.b.partnerId }, clock);
    expect(card.purchases.map((p) => p.receiptNumber)).toEqual(["b2"]);
    expect(card.ledger.map((e) => [e.kind, e.points, e.partnerName, e.undoable])).toEqual([["accrual", 25, "Кафе Б", false]]);
    expect(card.numbers).toMatchObject({ purchases: 1, totalKopecks: 50_000 });
    // The balance is the client's, whoever looks.
    expect(card.client.balance).toBe(125);
    const vera = await clientCard(db, { clientId: n.viaA.clientId, partnerId: n.a.partnerId }, clock);
    expect(vera).toMatchObject({ purchases: [], ledger: [], numbers: { purchases: 0 } });
    await expect(clientCard(db, { clientId: n.boris.clientId, partnerId: n.a.partnerId }, clock)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(clientCard(db, { clientId: n.undone.clientId, partnerId: n.a.partnerId }, clock)).rejects.toMatchObject({ code: "FORBIDDEN" });
    // An id that does not exist looks the same to a partner as another partner's client (ids do not reveal the network's size).
    await expect(clientCard(db, { clientId: 999_999, partnerId: n.a.partnerId }, clock)).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("unknown, deleted or merged clients are CLIENT_NOT_FOUND, for an admin too", async () => {
    const n = await network();
    await expect(clientCard(db, { clientId: 999_999, partnerId: null }, clock)).rejects.toMatchObject({ code: "CLIENT_NOT_FOUND" });
    await db.update(clients).set({ status: "merged" }).where(eq(clients.id, n.boris.clientId));
    await expect(clientCard(db, { clientId: n.boris.clientId, partnerId: null }, clock)).rejects.toMatchObject({ code: "CLIENT_NOT_FOUND" });
    await expect(clientCard(db, { clientId: n.boris.clientId, partnerId: n.b.partnerId }, clock)).rejects.toMatchObject({ code: "CLIENT_NOT_FOUND" });
  });
});
