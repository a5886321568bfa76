import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { broadcastDeliveries, broadcasts, clients, jobs } from "../../db/schema/index.js";
import { recomputeSegments } from "../../core/analytics/nightly.js";
import { broadcastAudienceSize, broadcastRecipients, createBroadcast, moderateBroadcast, requireBroadcastSender } from "../../core/broadcasts/service.js";
import { addStaff, updatePartnerSettings } from "../../core/partners/service.js";
import { accrue } from "../../core/ledger/service.js";
import { rowCounts, useTestDb } from "../helpers/db.js";
import { adminId, makeClient, makePartner, newTelegramId, setSettings } from "../helpers/fixtures.js";

const db = useTestDb();

async function network() {
  const a = await makePartner(db, "Кафе А");
  const b = await makePartner(db, "Кафе Б");
  const buyerA = await makeClient(db);
  const buyerB = await makeClient(db);
  const joinedViaA = await makeClient(db, 0, { startPayload: `p_${a.partner.code}` });
  const unreachable = await makeClient(db);
  await db.update(clients).set({ unreachableSince: new Date() }).where(eq(clients.id, unreachable.clientId));
  await accrue(db, { partnerId: a.partnerId, staffTelegramId: a.staffTelegramId, clientId: buyerA.clientId, amountKopecks: 10_000, receiptNumber: "1" });
  await accrue(db, { partnerId: b.partnerId, staffTelegramId: b.staffTelegramId, clientId: buyerB.clientId, amountKopecks: 10_000, receiptNumber: "1" });
  return { a, b, buyerA, buyerB, joinedViaA, unreachable };
}

describe("broadcast recipients", () => {
  it("an admin reaches every reachable client; a partner only its own (bought there or joined through its link)", async () => {
    const n = await network();
    const all = await broadcastRecipients(db, { kind: "admin", telegramId: adminId }, {});
    expect(all.map((r) => r.clientId).sort()).toEqual([n.buyerA.clientId, n.buyerB.clientId, n.joinedViaA.clientId].sort());
    const ofA = await broadcastRecipients(db, { kind: "partner", partnerId: n.a.partnerId, staffTelegramId: n.a.staffTelegramId }, {});
    expect(ofA.map((r) => r.clientId).sort()).toEqual([n.buyerA.clientId, n.joinedViaA.clientId].sort());
    expect(ofA.find((r) => r.clientId === n.buyerA.clientId)?.chatId).toBe(n.buyerA.telegramId);
  });

  it("a segment narrows it to the latest analytics", async () => {
    const n = await network();
    await recomputeSegments(db);
    const fresh = await broadcastRecipients(db, { kind: "admin", telegramId: adminId }, { segment: "new" });
    // A client who joined today with no purchase yet is in "new" too (R counts from joining).
    expect(fresh.map((r) => r.clientId).sort()).toEqual([n.buyerA.clientId, n.buyerB.clientId, n.joinedViaA.clientId].sort());
    const ofA = await broadcastRecipients(db, { kind: "partner", partnerId: n.a.partnerId, staffTelegramId: n.a.staffTelegramId }, { category: "new" });
    expect(ofA.map((r) => r.clientId).sort()).toEqual([n.buyerA.clientId, n.joinedViaA.clientId].sort());
    expect(await broadcastRecipients(db, { kind: "admin", telegramId: adminId }, { segment: "lost" })).toEqual([]);
    await expect(broadcastRecipients(db, { kind: "admin", telegramId: adminId }, { segment: "everyone" })).rejects.toMatchObject({ code: "VALIDATION" });
  });
});

describe("starting a broadcast", () => {
  it("starts at once: one delivery per recipient and the worker's job, in one transaction", async () => {
    const n = await network();
    const b = await createBroadcast(db, { sender: { kind: "partner", partnerId: n.a.partnerId, staffTelegramId: n.a.staffTelegramId }, audience: {}, text: "Скидки!", progressChatId: n.a.staffTelegramId, idempotencyKey: "k1" });
    expect(b).toMatchObject({ status: "sending", total: 2 });
    expect(await db.select().from(broadcastDeliveries)).toHaveLength(2);
    expect((await db.select().from(jobs).where(eq(jobs.kind, "broadcast.run"))).map((j) => j.payload)).toEqual([{ broadcastId: b.id }]);
  });

  it("when partner broadcasts need approval: admins are asked; approval starts it, rejection tells the partner why", async () => {
    const n = await network();
    await setSettings(db, { partnerBroadcastsNeedApproval: true });
    const sender = { kind: "partner" as const, partnerId: n.a.partnerId, staffTelegramId: n.a.staffTelegramId };
    const first = await createBroadcast(db, { sender, audience: {}, text: "Скидки!", progressChatId: n.a.staffTelegramId, idempotencyKey: "k1" });
    expect(first.status).toBe("awaiting_approval");
    expect(await db.select().from(broadcastDeliveries)).toHaveLength(0);
    expect((await db.select().from(jobs).where(eq(jobs.kind, "notify.admins"))).map((j) => j.payload.message)).toContain("new-broadcast");
    expect(await moderateBroadcast(db, { adminTelegramId: adminId, broadcastId: first.id, verdict: { decision: "approve" } })).toMatchObject({ status: "sending", total: 2 });
    await expect(moderateBroadcast(db, { adminTelegramId: adminId, broadcastId: first.id, verdict: { decision: "approve" } })).rejects.toMatchObject({ code: "ALREADY_MODERATED" });

    const second = await createBroadcast(db, { sender, audience: {}, text: "Ещё скидки", progressChatId: n.a.staffTelegramId, idempotencyKey: "k2" });
    await expect(moderateBroadcast(db, { adminTelegramId: adminId, broadcastId: second.id, verdict: { decision: "reject", reason: "" } })).rejects.toMatchObject({ code: "VALIDATION" });
    const rejected = await moderateBroadcast(db, { adminTelegramId: adminId, broadcastId: second.id, verdict: { decision: "reject", reason: "слишком часто" } });
    expect(rejected).toMatchObject({ status: "rejected", moderationReason: "слишком часто" });
    const told = await db.select().from(jobs).where(eq(jobs.kind, "notify.partner"));
    expect(told.map((j) => j.payload.message)).toContain("broadcast-rejected");
    // Admin broadcasts never wait.
    expect((await createBroadcast(db, { sender: { kind: "admin", telegramId: adminId }, audience: {}, text: "Всем", progressChatId: adminId, idempotencyKey: "k3" })).status).toBe("sending");
  });

  it("empty text, or someone not on the partner's staff, is refused and writes nothing", async () => {
    const n = await network();
    const before = await rowCounts(db);
    await expect(createBroadcast(db, { sender: { kind: "admin", telegramId: adminId }, audience: {}, text: "   ", progressChatId: adminId, idempotencyKey: "k1" })).rejects.toMatchObject({ code: "VALIDATION" });
    await expect(createBroadcast(db, { sender: { kind: "partner", partnerId: n.a.partnerId, staffTelegramId: n.b.staffTelegramId }, audience: {}, text: "x", progressChatId: 1, idempotencyKey: "k2" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await rowCounts(db)).toEqual(before);
    expect(await db.select().from(broadcasts)).toHaveLength(0);
  });
});

describe("a broadcast confirmed twice (a replayed conversation step)", () => {
  it("two creations with one key make one broadcast and one set of deliveries; the replay returns the first", async () => {
    const n = await network();
    const sender = { kind: "partner" as const, partnerId: n.a.partnerId, staffTelegramId: n.a.staffTelegramId };
    const input = { sender, audience: {}, text: "Скидки!", progressChatId: n.a.staffTelegramId, progressMessageId: 7, idempotencyKey: "broadcast:p1:42" };
    const first = await createBroadcast(db, input);
    const replay = await createBroadcast(db, { ...input, progressMessageId: 8 });
    expect(first).toMatchObject({ status: "sending", total: 2, replayed: false });
    expect(replay).toMatchObject({ id: first.id, progressMessageId: 7, replayed: true });
    expect(await db.select().from(broadcasts)).toHaveLength(1);
    expect(await db.select().from(broadcastDeliveries)).toHaveLength(2);
    expect(await db.select().from(jobs).where(eq(jobs.kind, "broadcast.run"))).toHaveLength(1);
  });

  it("at the same moment, too: one broadcast", async () => {
    const n = await network();
    const input = { sender: { kind: "admin" as const, telegramId: adminId }, audience: {}, text: "Всем", progressChatId: adminId, idempotencyKey: "broadcast:a:1" };
    const results = await Promise.all(Array.from({ length: 5 }, () => createBroadcast(db, input)));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await db.select().from(broadcastDeliveries)).toHaveLength(3);
    void n;
  });

  it("a key reused for another broadcast is refused and writes nothing", async () => {
    const n = await network();
    const sender = { kind: "partner" as const, partnerId: n.a.partnerId, staffTelegramId: n.a.staffTelegramId };
    await createBroadcast(db, { sender, audience: {}, text: "Скидки!", progressChatId: 1, idempotencyKey: "k" });
    const before = await rowCounts(db);
    await expect(createBroadcast(db, { sender, audience: {}, text: "Другое", progressChatId: 1, idempotencyKey: "k" })).rejects.toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
    await expect(createBroadcast(db, { sender: { kind: "admin", telegramId: adminId }, audience: {}, text: "Скидки!", progressChatId: 1, idempotencyKey: "k" })).rejects.toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
    expect(await rowCounts(db)).toEqual(before);
  });
});

describe("partner broadcasts are the owner's", () => {
  it("a cashier is refused (BROADCAST_OWNER_ONLY, nothing written) until the owner allows cashiers; then allowed; the owner always", async () => {
    const n = await network();
    const cashier = newTelegramId();
    await addStaff(db, { partnerId: n.a.partnerId, ownerTelegramId: n.a.staffTelegramId, telegramId: cashier });
    const bySender = { kind: "partner" as const, partnerId: n.a.partnerId, staffTelegramId: cashier };
    const before = await rowCounts(db);
    await expect(requireBroadcastSender(db, bySender)).rejects.toMatchObject({ code: "BROADCAST_OWNER_ONLY" });
    await expect(broadcastAudienceSize(db, bySender, {})).rejects.toMatchObject({ code: "BROADCAST_OWNER_ONLY" });
    await expect(createBroadcast(db, { sender: bySender, audience: {}, text: "Скидки!", progressChatId: cashier, idempotencyKey: "c1" })).rejects.toMatchObject({ code: "BROADCAST_OWNER_ONLY" });
    expect(await rowCounts(db)).toEqual(before);

    // A cashier cannot allow themself.
    await expect(updatePartnerSettings(db, { partnerId: n.a.partnerId, staffTelegramId: cashier, patch: { cashiersMayBroadcast: true } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await updatePartnerSettings(db, { partnerId: n.a.partnerId, staffTelegramId: n.a.staffTelegramId, patch: { cashiersMayBroadcast: true } });
    expect(await broadcastAudienceSize(db, bySender, {})).toBe(2);
    expect(await createBroadcast(db, { sender: bySender, audience: {}, text: "Скидки!", progressChatId: cashier, idempotencyKey: "c2" })).toMatchObject({ status: "sending", senderTelegramId: cashier });

    await updatePartnerSettings(db, { partnerId: n.a.partnerId, staffTelegramId: n.a.staffTelegramId, patch: { cashiersMayBroadcast: false } });
    await expect(createBroadcast(db, { sender: bySender, audience: {}, text: "Ещё", progressChatId: cashier, idempotencyKey: "c3" })).rejects.toMatchObject({ code: "BROADCAST_OWNER_ONLY" });
    expect(await createBroadcast(db, { sender: { kind: "partner", partnerId: n.a.partnerId, staffTelegramId: n.a.staffTelegramId }, audience: {}, text: "Ещё", progressChatId: 1, idempotencyKey: "o1" })).toMatchObject({ status: "sending" });
  });
});
