import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { addMinutes, fixedClock } from "../../core/clock.js";
import { expireRedemptions, requestRedemption } from "../../core/ledger/service.js";
import { addStaff, removeStaff } from "../../core/partners/service.js";
import { clients, redemptionRequests } from "../../db/schema/index.js";
import { runOutboxOnce } from "../../worker/outbox.js";
import { useTestDb } from "../helpers/db.js";
import { makeClient, makePartner, newTelegramId, setSettings } from "../helpers/fixtures.js";
import { tokens } from "../helpers/processes.js";
import { outboxDepsFor, useFakeTelegram } from "../helpers/worker.js";

const db = useTestDb();
const telegram = useFakeTelegram();
const t0 = new Date("2026-11-25T10:00:00Z");
const later = addMinutes(t0, 11);

/** A partner with an owner and a cashier; a client named Мария with a phone and 500 points. */
async function setup() {
  await setSettings(db, { welcomeBonus: 0 });
  const p = await makePartner(db);
  const cashier = newTelegramId();
  await addStaff(db, { partnerId: p.partnerId, ownerTelegramId: p.staffTelegramId, telegramId: cashier });
  const c = await makeClient(db, 500);
  await db.update(clients).set({ firstName: "Мария", phone: "+79161234567" }).where(eq(clients.id, c.clientId));
  return { ...p, owner: p.staffTelegramId, cashier, clientId: c.clientId };
}

/** What the partner bot told `chatId` about redemptions (the partner's approval is told to its staff too). */
const partnerTexts = (chatId: number) =>
  telegram.fake
    .calls(tokens.partner)
    .filter((c) => c.method === "sendMessage" && Number(c.params.chat_id) === chatId)
    .map((c) => String(c.params.text))
    .filter((text) => /списание/.test(text));

describe("what became of a redemption request is told to the cashier who asked", () => {
  it("an expiry reaches only that cashier, naming the client and the request; the owner hears nothing", async () => {
    const s = await setup();
    const r = await requestRedemption(db, { partnerId: s.partnerId, staffTelegramId: s.cashier, clientId: s.clientId, checkKopecks: 100_000, points: 70, idempotencyKey: "k" }, fixedClock(t0));
    expect(await expireRedemptions(db, fixedClock(later))).toBe(1);
    while ((await runOutboxOnce(outboxDepsFor(telegram.fake, db, telegram.redis, later))) > 0);
    expect(partnerTexts(s.cashier)).toEqual([`⌛ Клиент Мария (+7916***-**-67) не подтвердил списание 70 баллов вовремя (запрос № ${r.id}). Баллы не списаны.`]);
    expect(partnerTexts(s.owner)).toEqual([]);
  });

  it("a cashier removed since is told nothing, and nobody else is told in their place", async () => {
    const s = await setup();
    await requestRedemption(db, { partnerId: s.partnerId, staffTelegramId: s.cashier, clientId: s.clientId, checkKopecks: 100_000, points: 70, idempotencyKey: "k" }, fixedClock(t0));
    await removeStaff(db, { partnerId: s.partnerId, ownerTelegramId: s.owner, telegramId: s.cashier });
    await expireRedemptions(db, fixedClock(later));
    while ((await runOutboxOnce(outboxDepsFor(telegram.fake, db, telegram.redis, later))) > 0);
    expect(partnerTexts(s.cashier)).toEqual([]);
    expect(partnerTexts(s.owner)).toEqual([]);
  });

  it("a request from before the cashier was recorded is told to the partner's staff, as it used to be", async () => {
    const s = await setup();
    const r = await requestRedemption(db, { partnerId: s.partnerId, staffTelegramId: s.cashier, clientId: s.clientId, checkKopecks: 100_000, points: 70, idempotencyKey: "k" }, fixedClock(t0));
    await db.update(redemptionRequests).set({ staffTelegramId: null }).where(eq(redemptionRequests.id, r.id));
    await expireRedemptions(db, fixedClock(later));
    while ((await runOutboxOnce(outboxDepsFor(telegram.fake, db, telegram.redis, later))) > 0);
    expect(partnerTexts(s.cashier)).toHaveLength(1);
    expect(partnerTexts(s.owner)).toHaveLength(1);
  });
});
