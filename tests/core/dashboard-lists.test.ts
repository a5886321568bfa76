import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { broadcastDeliveries, partners, referrals } from "../../db/schema/index.js";
import { audit, auditPage } from "../../core/audit/service.js";
import { createBroadcast, listBroadcasts } from "../../core/broadcasts/service.js";
import { listServices, moderateService, networkServices, submitService } from "../../core/catalog/service.js";
import { addDays, fixedClock } from "../../core/clock.js";
import { accrue } from "../../core/ledger/service.js";
import { listPartners, submitApplication } from "../../core/partners/service.js";
import { createPromotion, currentPromotions, listPromotions } from "../../core/promotions/service.js";
import { referralCounts } from "../../core/referrals/service.js";
import { useTestDb } from "../helpers/db.js";
import { adminId, makeClient, makePartner, newTelegramId } from "../helpers/fixtures.js";

const db = useTestDb();
const t0 = new Date("2026-11-01T10:00:00Z");

describe("listPartners", () => {
  it("lists every partner newest first, or those of one status", async () => {
    const a = await makePartner(db, "Кафе А", fixedClock(t0));
    const b = await makePartner(db, "Кафе Б", fixedClock(addDays(t0, 1)));
    const pending = await submitApplication(db, { telegramId: newTelegramId(), name: "Пекарня", category: "bakery", address: "Ленина, 10", contactName: "Ира", phone: "+79001112233" }, fixedClock(addDays(t0, 2)));
    expect((await listPartners(db)).map((p) => p.id)).toEqual([pending.id, b.partnerId, a.partnerId]);
    expect((await listPartners(db, { status: "pending" })).map((p) => p.name)).toEqual(["Пекарня"]);
    expect((await listPartners(db, { status: "approved" })).map((p) => p.id)).toEqual([b.partnerId, a.partnerId]);
    expect(await listPartners(db, { status: "blocked" })).toEqual([]);
  });
});

describe("services and promotions for the dashboard and the Mini App", () => {
  it("a partner lists only its own, an admin everyone's, with the partner's name; clients also get the address", async () => {
    const a = await makePartner(db, "Кафе А");
    const b = await makePartner(db, "Кафе Б");
    await db.update(partners).set({ address: "Арбат, 5" }).where(eq(partners.id, b.partnerId));
    const sa = await submitService(db, { partnerId: a.partnerId, staffTelegramId: a.staffTelegramId, name: "Капучино", description: "Большой", priceKopecks: 25_000 }, fixedClock(t0));
    const sb = await submitService(db, { partnerId: b.partnerId, staffTelegramId: b.staffTelegramId, name: "Круассан", description: "Свежий", priceKopecks: 15_000 }, fixedClock(addDays(t0, 1)));
    await moderateService(db, { adminTelegramId: adminId, serviceId: sb.id, verdict: { decision: "approve" } });

    expect(await listServices(db, { partnerId: a.partnerId })).toEqual([
      { id: sa.id, partnerId: a.partnerId, partnerName: "Кафе А", name: "Капучино", description: "Большой", priceKopecks: 25_000, status: "pending", moderationReason: null, createdAt: t0 },
    ]);
    expect((await listServices(db, { partnerId: null })).map((s) => s.id)).toEqual([sb.id, sa.id]);
    expect((await listServices(db, { partnerId: null, status: "approved" })).map((s) => s.id)).toEqual([sb.id]);
    expect(await networkServices(db)).toMatchObject([{ id: sb.id, partnerName: "Кафе Б", partnerAddress: "Арбат, 5" }]);

    const now = new Date("2026-11-10T10:00:00Z");
    const pa = await createPromotion(db, { partnerId: a.partnerId, staffTelegramId: a.staffTelegramId, title: "Скидка", body: "10% на всё", startsAt: now, endsAt: addDays(now, 5) }, fixedClock(now));
    const pb = await createPromotion(db, { partnerId: b.partnerId, staffTelegramId: b.staffTelegramId, title: "Два по цене одного", body: "Круассаны", startsAt: addDays(now, 1), endsAt: addDays(now, 3) }, fixedClock(now));
    expect(await listPromotions(db, { partnerId: b.partnerId })).toEqual([
      { id: pb.id, partnerId: b.partnerId, partnerName: "Кафе Б", title: "Два по цене одного", body: "Круассаны", startsAt: addDays(now, 1), endsAt: addDays(now, 3) },
    ]);
    expect((await listPromotions(db, { partnerId: null })).map((p) => p.id)).toEqual([pb.id, pa.id]);
    expect(await currentPromotions(db, fixedClock(addDays(now, 2)))).toMatchObject([
      { id: pb.id, partnerAddress: "Арбат, 5" },
      { id: pa.id, partnerAddress: "Тверская, 1" },
    ]);
  });
});

describe("auditPage", () => {
  it("pages the log newest first by id", async () => {
    for (let i = 1; i <= 5; i++) await audit(db, { actorType: "admin", actorTelegramId: adminId, action: `test.${i}`, targetType: "test", targetId: i });
    const first = await auditPage(db, { limit: 2 });
    expect(first.items.map((e) => e.action)).toEqual(["test.5", "test.4"]);
    const second = await auditPage(db, { limit: 2, before: first.nextBefore! });
    expect(second.items.map((e) => e.action)).toEqual(["test.3", "test.2"]);
    const last = await auditPage(db, { limit: 2, before: second.nextBefore! });
    expect(last).toMatchObject({ items: [{ action: "test.1", actorType: "admin", targetId: 1, details: {} }], nextBefore: null });
    expect((await auditPage(db)).items).toHaveLength(5);
  });
});

describe("listBroadcasts", () => {
  it("lists with the partner's name and a delivery report per broadcast; a partner sees only its own", async () => {
    const a = await makePartner(db, "Кафе А");
    const b = await makePartner(db, "Кафе Б");
    const c1 = await makeClient(db);
    const c2 = await makeClient(db);
    const c3 = await makeClient(db, 0, { startPayload: `p_${b.partner.code}` });
    await accrue(db, { partnerId: a.partnerId, staffTelegramId: a.staffTelegramId, clientId: c1.clientId, amountKopecks: 10_000, receiptNumber: "1" });
    await accrue(db, { partnerId: a.partnerId, staffTelegramId: a.staffTelegramId, clientId: c2.clientId, amountKopecks: 10_000, receiptNumber: "2" });
    const ofA = await createBroadcast(db, { sender: { kind: "partner", partnerId: a.partnerId, staffTelegramId: a.staffTelegramId }, audience: {}, text: "Скидки в А", progressChatId: 1, idempotencyKey: "a1" });
    const ofB = await createBroadcast(db, { sender: { kind: "partner", partnerId: b.partnerId, staffTelegramId: b.staffTelegramId }, audience: {}, text: "Скидки в Б", progressChatId: 1, idempotencyKey: "b1" });
    const byAdmin = await createBroadcast(db, { sender: { kind: "admin", telegramId: adminId }, audience: {}, text: "Всем", progressChatId: 1, idempotencyKey: "adm" });
    await db.update(broadcastDeliveries).set({ status: "sent" }).where(eq(broadcastDeliveries.clientId, c1.clientId));
    await db.update(broadcastDeliveries).set({ status: "unreachable" }).where(eq(broadcastDeliveries.clientId, c3.clientId));

    const all = await listBroadcasts(db, { partnerId: null });
    expect(all.map((x) => x.id)).toEqual([byAdmin.id, ofB.id, ofA.id]);
    expect(all[0]).toMatchObject({ senderKind: "admin", partnerName: null, text: "Всем", report: { total: 3, sent: 1, unreachable: 1, pending: 1, failed: 0, uncertain: 0 } });
    expect(all[2]).toMatchObject({ senderKind: "partner", partnerName: "Кафе А", report: { total: 2, sent: 1, pending: 1, unreachable: 0 } });
    expect(all[1]).toMatchObject({ partnerName: "Кафе Б", report: { total: 1, unreachable: 1, sent: 0 } });
    expect((await listBroadcasts(db, { partnerId: a.partnerId })).map((x) => x.id)).toEqual([ofA.id]);
    expect(await listBroadcasts(db, { partnerId: null, limit: 1 })).toHaveLength(1);
  });
});

describe("referralCounts", () => {
  it("counts friends who joined through the link and those whose first purchase brought the bonus", async () => {
    const p = await makePartner(db);
    const inviter = await makeClient(db);
    const other = await makeClient(db);
    const f1 = await makeClient(db, 0, { startPayload: `r_${inviter.client.referralCode}` });
    await makeClient(db, 0, { startPayload: `r_${inviter.client.referralCode}` });
    await makeClient(db, 0, { startPayload: `r_${other.client.referralCode}` });
    expect(await referralCounts(db, inviter.clientId)).toEqual({ joined: 2, rewarded: 0 });
    await accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: f1.clientId, amountKopecks: 10_000, receiptNumber: "1" });
    expect(await referralCounts(db, inviter.clientId)).toEqual({ joined: 2, rewarded: 1 });
    expect(await referralCounts(db, f1.clientId)).toEqual({ joined: 0, rewarded: 0 });
    expect(await db.select().from(referrals)).toHaveLength(3);
  });
});
