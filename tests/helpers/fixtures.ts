import type { Db } from "../../db/client.js";
import { registerClient } from "../../core/clients/service.js";
import type { Clock } from "../../core/clock.js";
import { adjustBalance } from "../../core/ledger/service.js";
import { moderateApplication, submitApplication } from "../../core/partners/service.js";
import { updateNetworkSettings, type NetworkSettings } from "../../core/settings/service.js";
import { testAppSecret } from "./env.js";

export const adminId = 9_000_001;
let nextTelegramId = 100_000;
export const newTelegramId = () => ++nextTelegramId;

/** An approved partner whose owner is a fresh Telegram user. */
export async function makePartner(db: Db, name = "Кофейня Ромашка", clock?: Clock) {
  const ownerTelegramId = newTelegramId();
  const applied = await submitApplication(
    db,
    { telegramId: ownerTelegramId, name, category: "cafe", address: "Тверская, 1", contactName: "Анна", phone: "+79990001122" },
    clock,
  );
  const partner = await moderateApplication(db, { adminTelegramId: adminId, partnerId: applied.id, verdict: { decision: "approve" } }, clock);
  return { partner, partnerId: partner.id, staffTelegramId: ownerTelegramId };
}

/** A registered client holding exactly `points` (welcome bonus switched off first, the points set by an adjustment). */
export async function makeClient(db: Db, points = 0, options: { startPayload?: string; clock?: Clock } = {}) {
  const telegramId = newTelegramId();
  const { client } = await registerClient(db, { telegramId, firstName: "Иван", startPayload: options.startPayload }, { appSecret: testAppSecret, clock: options.clock });
  if (points > 0) {
    await adjustBalance(db, { adminTelegramId: adminId, clientId: client.id, points, reason: "test setup", idempotencyKey: `setup:${client.id}` }, options.clock);
  }
  return { client, clientId: client.id, telegramId };
}

export async function setSettings(db: Db, patch: Partial<NetworkSettings>) {
  await updateNetworkSettings(db, { adminTelegramId: adminId, patch });
}

/** Runs `n` calls at once and sorts the outcomes. */
export async function concurrently<T>(n: number, fn: (i: number) => Promise<T>) {
  const settled = await Promise.allSettled(Array.from({ length: n }, (_, i) => fn(i)));
  const ok = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const errors = settled.flatMap((s) => (s.status === "rejected" ? [s.reason as unknown] : []));
  return { ok, errors };
}
