import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { broadcastDeliveries, broadcasts, clients, jobs } from "../../db/schema/index.js";
import { recomputeSegments } from "../../core/analytics/nightly.js";
import { broadcastRecipients, createBroadcast, moderateBroadcast } from "../../core/broadcasts/service.js";
import { accrue } from "../../core/ledger/service.js";
import { rowCounts, useTestDb } from "../helpers/db.js";
import { adminId, makeClient, makePartner, setSettings } from "../helpers/fixtures.js";

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
    expect(fresh.map((r) => r.clientId).sort()).toEqual([n.buyerA.clientId, n.buyerB.clientId].sort());
    expect(await broadcastRecipients(db, { kind: "admin", telegramId: adminId }, { segment: "lost" })).toEqual([]);
    await expect(broadcastRecipients(db, { kind: "admin", telegramId: adminId }, { segment: "everyone" })).rejects.toMatchObject({ code: "VALIDATION" });
  });
});

describe("starting a broadcast", () => {
  it("starts at once: one delivery per recipient and the worker's job, in one transaction", async () => {
    const n = await network();
    const b = await createBroadcast(db, { sender: { kind: "partner", partnerId: n.a.partnerId, staffTelegramId: n.a.staffTelegramId }, audience: {}, text: "Скидки!", progressChatId: n.a.staffTelegramId });
    expect(b).toMatchObject({ status: "sending", total: 2 });
    expect(await db.select().from(broadcastDeliveries)).toHaveLength(2);
    expect((await db.select().from(jobs).where(eq(jobs.kind, "broadcast.run"))).map((j) => j.payload)).toEqual([{ broadcastId: b.id }]);
  });

  it("when partner broadcasts need approval: admins are asked; approval starts it, rejection tells the partner why", async () => {
    const n = await network();
    await setSettings(db, { partnerBroadcastsNeedApproval: true });
    const sender = { kind: "partner" as const, partnerId: n.a.partnerId, staffTelegramId: n.a.staffTelegramId };
    const first = await createBroadcast(db, { sender, audience: {}, text: "Скидки!", progressChatId: n.a.staffTelegramId });
    expect(first.status).toBe("awaiting_approval");
    expect(await db.select().from(broadcastDeliveries)).toHaveLength(0);
    expect((await db.select().from(jobs).where(eq(jobs.kind, "notify.admins"))).map((j) => j.payload.message)).toContain("new-broadcast");
    expect(await moderateBroadcast(db, { adminTelegramId: adminId, broadcastId: first.id, verdict: { decision: "approve" } })).toMatchObject({ status: "sending", total: 2 });
    await expect(moderateBroadcast(db, { adminTelegramId: adminId, broadcastId: first.id, verdict: { decision: "approve" } })).rejects.toMatchObject({ code: "ALREADY_MODERATED" });

    const second = await createBroadcast(db, { sender, audience: {}, text: "Ещё скидки", progressChatId: n.a.staffTelegramId });
    await expect(moderateBroadcast(db, { adminTelegramId: adminId, broadcastId: second.id, verdict: { decision: "reject", reason: "" } })).rejects.toMatchObject({ code: "VALIDATION" });
    const rejected = await moderateBroadcast(db, { adminTelegramId: adminId, broadcastId: second.id, verdict: { decision: "reject", reason: "слишком часто" } });
    expect(rejected).toMatchObject({ status: "rejected", moderationReason: "слишком часто" });
    const told = await db.select().from(jobs).where(eq(jobs.kind, "notify.partner"));
    expect(told.map((j) => j.payload.message)).toContain("broadcast-rejected");
    // Admin broadcasts never wait.
    expect((await createBroadcast(db, { sender: { kind: "admin", telegramId: adminId }, audience: {}, text: "Всем", progressChatId: adminId })).status).toBe("sending");
  });

  it("empty text, or someone not on the partner's staff, is refused and writes nothing", async () => {
    const n = await network();
    const before = await rowCounts(db);
    await expect(createBroadcast(db, { sender: { kind: "admin", telegramId: adminId }, audience: {}, text: "   ", progressChatId: adminId })).rejects.toMatchObject({ code: "VALIDATION" });
    await expect(createBroadcast(db, { sender: { kind: "partner", partnerId: n.a.partnerId, staffTelegramId: n.b.staffTelegramId }, audience: {}, text: "x", progressChatId: 1 })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await rowCounts(db)).toEqual(before);
    expect(await db.select().from(broadcasts)).toHaveLength(0);
  });
});
