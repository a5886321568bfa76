import { eq, sql } from "drizzle-orm";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { enqueue } from "../../core/jobs/outbox.js";
import { analyticsDate } from "../../core/analytics/nightly.js";
import { admins, jobs, redemptionRequests } from "../../db/schema/index.js";
import { useWorkerProcesses } from "../helpers/worker.js";
import { useTestDb } from "../helpers/db.js";
import { makeClient, makePartner } from "../helpers/fixtures.js";
import { ProductProcess, testAdminId, tokens } from "../helpers/processes.js";
import { leaseMs, leaseRenewMs, requestTimeoutSeconds } from "../../worker/lease.js";

/**
 * Telegram down or slow under two real worker processes. The outage lasts 60 s, as in the report: longer than the
 * job lease (45 s) and than auto-retry's first backoffs (3 + 6 + 12 + 24 s), so a worker that waits inside a job, or
 * whose lease lapses under it, shows here as a late message or a duplicate.
 */
const outageMs = 60_000;
/** A send answered this late is still a success (under the request timeout), but spans two lease renewals. */
const slowSendMs = requestTimeoutSeconds * 1_000 - 5_000;

const db = useTestDb({ max: 3 });
const telegram = useWorkerProcesses();
const { workers } = telegram;

/** Two workers, as two machines would run them; resolves once both are up. */
async function startTwoWorkers() {
  for (let i = 0; i < 2; i++) workers.push(new ProductProcess("worker", telegram.fake.url, { LOG_LEVEL: "info" }).start());
  for (let i = 0; i < 120 && !workers.every((w) => /worker started/.test(w.output)); i++) await sleep(250);
  expect(workers.every((w) => /worker started/.test(w.output))).toBe(true);
}

const sendsTo = (chatId: number) => telegram.fake.messagesTo(tokens.client, chatId).filter((m) => m.method === "sendMessage");

describe("Telegram unreachable or slow under two workers", () => {
  it(
    "a 60 s outage: expiries run during it, sending resumes within 5 s of recovery, no job dies of it and nobody gets a message twice",
    async () => {
      const { partnerId, staffTelegramId } = await makePartner(db);
      // More jobs than one worker claims at once (20): both workers hold some, so neither is free for expiries by luck.
      const clients = await Promise.all(Array.from({ length: 24 }, () => makeClient(db)));
      await startTwoWorkers();

      telegram.fake.setReachable(false);
      const outageStart = Date.now();
      await db.transaction(async (tx) => {
        for (const [i, c] of clients.entries()) {
          await enqueue(tx, "notify.client", { clientId: c.clientId, message: "balance-adjusted", params: { points: i + 1, balance: i + 1 } }, { runAt: new Date() });
        }
      });
      // A redemption request nobody answers, due to expire a few seconds into the outage.
      const [request] = await db
        .insert(redemptionRequests)
        .values({ partnerId, clientId: clients[0]!.clientId, checkKopecks: 10_000, points: 10, code: "424242", idempotencyKey: "outage-test", staffTelegramId, expiresAt: new Date(Date.now() + 3_000) })
        .returning();

      // During the outage: the expiry happens (the sweep runs every 30 s), jobs wait without dying.
      let expiredAt: number | undefined;
      while (Date.now() < outageStart + outageMs) {
        if (expiredAt === undefined) {
          const [r] = await db.select().from(redemptionRequests).where(eq(redemptionRequests.id, request!.id));
          if (r!.status === "expired") expiredAt = Date.now();
        }
        await sleep(500);
      }
      expect(expiredAt).toBeDefined();
      expect(expiredAt! - outageStart).toBeLessThan(outageMs);
      const [{ dead } = { dead: 0 }] = await db.execute<{ dead: number }>(sql`SELECT count(*)::int AS dead FROM jobs WHERE status = 'dead'`);
      expect(dead).toBe(0);

      telegram.fake.setReachable(true);
      const recovered = Date.now();
      for (const [i, c] of clients.entries()) {
        const call = await telegram.fake.waitForText(tokens.client, c.telegramId, new RegExp(`скорректирован.*: ${i + 1}\\.`), 15_000);
        expect(call.at - recovered).toBeLessThan(5_000);
      }
      await sleep(4_000); // anything sent twice would have arrived by now
      for (const c of clients) expect(sendsTo(c.telegramId)).toHaveLength(1);
      const toCashier = telegram.fake.messagesTo(tokens.partner, staffTelegramId).map((m) => m.text);
      expect(new Set(toCashier).size).toBe(toCashier.length);
      expect(await db.select({ status: jobs.status }).from(jobs)).toEqual(expect.not.arrayContaining([{ status: "dead" }]));
      // Each worker said so once, not once per job or per retry.
      for (const w of workers) expect(w.output.match(/Telegram is unreachable/g)?.length ?? 0).toBeLessThanOrEqual(1);
    },
    outageMs + 60_000,
  );

  it(
    "a send answered only after 25 s (two lease renewals) is not taken and sent again by the other worker",
    async () => {
      expect(outageMs).toBeGreaterThan(leaseMs);
      expect(slowSendMs).toBeGreaterThan(2 * leaseRenewMs);
      const c = await makeClient(db);
      await startTwoWorkers();
      telegram.fake.delayNext(tokens.client, "sendMessage", slowSendMs);
      const since = Date.now();
      await enqueue(db, "notify.client", { clientId: c.clientId, message: "balance-adjusted", params: { points: 7, balance: 7 } }, { runAt: new Date() });
      const first = await telegram.fake.waitForText(tokens.client, c.telegramId, /скорректирован/, 30_000);
      expect(first.at - since).toBeLessThan(30_000);
      // Meanwhile the other worker keeps polling: the renewed lease keeps the job from it.
      while (Date.now() < first.at + slowSendMs + 5_000) await sleep(1_000);
      const [job] = await db.select().from(jobs).where(eq(jobs.kind, "notify.client"));
      expect(job!.status).toBe("done");
      expect(job!.attempts).toBe(1);
      expect(sendsTo(c.telegramId)).toHaveLength(1);
    },
    90_000,
  );

  it(
    "a job whose sends together outlast its lease (two of 25 s) keeps it by renewal: one worker does it, each message once",
    async () => {
      expect(2 * slowSendMs).toBeGreaterThan(leaseMs);
      const secondAdmin = testAdminId + 1;
      await db.insert(admins).values({ telegramId: secondAdmin, grantedBy: testAdminId });
      // Today's digest for admins, which the workers would schedule at start, is not what this test delays.
      for (const kind of ["digest.network", "digest.partners"] as const) {
        await db.insert(jobs).values({ kind, payload: {}, status: "done", dedupeKey: `${kind.replace(".", "-")}:${analyticsDate(new Date())}`, runAt: new Date() });
      }
      await startTwoWorkers();
      telegram.fake.delayNext(tokens.admin, "sendMessage", slowSendMs, 2);
      await enqueue(db, "notify.admins", { message: "new-partner-application", params: { partnerId: 77, name: "Кофейня у дома" } }, { runAt: new Date() });
      const toAdmin = (chatId: number) => telegram.fake.messagesTo(tokens.admin, chatId).filter((m) => m.method === "sendMessage" && /Кофейня у дома/.test(m.text ?? ""));
      const second = await telegram.fake.waitForText(tokens.admin, secondAdmin, /Кофейня у дома/, 60_000);
      while (Date.now() < second.at + slowSendMs + 5_000) await sleep(1_000);
      const [job] = await db.select().from(jobs).where(eq(jobs.kind, "notify.admins"));
      // Claimed once, never lost to the other worker nor taken back from it.
      expect(job).toMatchObject({ status: "done", attempts: 1 });
      expect(toAdmin(testAdminId)).toHaveLength(1);
      expect(toAdmin(secondAdmin)).toHaveLength(1);
      for (const w of workers) expect(w.output).not.toMatch(/lease could not be renewed/);
    },
    120_000,
  );
});
