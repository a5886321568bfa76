import { and, eq, sql } from "drizzle-orm";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { createBroadcast } from "../../core/broadcasts/service.js";
import { enqueue } from "../../core/jobs/outbox.js";
import { broadcastDeliveries, broadcasts, jobs } from "../../db/schema/index.js";
import { useWorkerProcesses } from "../helpers/worker.js";
import { useTestDb } from "../helpers/db.js";
import { makeClient } from "../helpers/fixtures.js";
import { ProductProcess, testAdminId, tokens } from "../helpers/processes.js";

/**
 * SIGTERM to a worker with a job in hand: it exits 0 within 10 s, the job stops at a safe boundary (between two
 * messages, never during one), every job it claimed and did not finish is pending again at once with its attempt
 * given back, and a worker started afterwards finishes the work without sending anything twice.
 */
const db = useTestDb({ max: 3 });
const telegram = useWorkerProcesses();
const { workers } = telegram;

async function startWorker(env: Record<string, string> = {}) {
  const worker = new ProductProcess("worker", telegram.fake.url, { LOG_LEVEL: "info", ...env }).start();
  workers.push(worker);
  for (let i = 0; i < 120 && !/worker started/.test(worker.output); i++) await sleep(250);
  expect(worker.output).toMatch(/worker started/);
  return worker;
}

/** SIGTERM; resolves with how long the process took to exit (a SIGKILL at 10 s leaves exitCode null). */
async function stopTimed(worker: ProductProcess) {
  const since = Date.now();
  await worker.stop();
  return Date.now() - since;
}

/** The ops server's address from its one log line (it was started on port 0). */
async function listeningUrl(worker: ProductProcess): Promise<string> {
  for (let i = 0; i < 40; i++) {
    const line = worker.output.split("\n").find((l) => l.includes('"ops server listening"'));
    if (line) return (JSON.parse(line) as { url: string }).url;
    await sleep(250);
  }
  throw new Error(`the worker logged no "ops server listening":\n${worker.output.slice(-2_000)}`);
}

const sendsTo = (chatId: number) => telegram.fake.calls(tokens.client).filter((c) => c.method === "sendMessage" && c.failed === undefined && Number(c.params.chat_id) === chatId);

describe("a worker stopped with SIGTERM", () => {
  it("in the middle of a broadcast: exits 0 within 10 s, hands the job back at once, and a second worker finishes it with no message twice", async () => {
    const recipients = await Promise.all(Array.from({ length: 50 }, () => makeClient(db)));
    const text = "Распродажа до воскресенья";
    // 5 messages a second: the broadcast takes 10 s, so SIGTERM finds it in hand.
    const first = await startWorker({ SEND_RATE_PER_SECOND: "5" });
    const b = await createBroadcast(db, { sender: { kind: "admin", telegramId: testAdminId }, audience: {}, text, progressChatId: testAdminId, idempotencyKey: "shutdown-test" });
    expect(b.total).toBe(50);
    const sent = () => telegram.fake.calls(tokens.client).filter((c) => c.method === "sendMessage" && c.params.text === text).length;
    for (let i = 0; i < 200 && sent() < 8; i++) await sleep(50);
    expect(sent()).toBeGreaterThanOrEqual(8);

    const tookMs = await stopTimed(first);
    expect(first.exitCode).toBe(0);
    expect(tookMs).toBeLessThan(10_000);
    expect(first.output).toMatch(/job handed back unfinished: the worker is stopping/);

    const sentBeforeStop = sent();
    expect(sentBeforeStop).toBeLessThan(50);
    const [job] = await db.select().from(jobs).where(eq(jobs.kind, "broadcast.run"));
    expect(job).toMatchObject({ status: "pending", attempts: 0 });
    expect(job!.runAt.getTime()).toBeLessThanOrEqual(Date.now());
    // Its progress is kept: each message that went out is recorded as sent, none is left in doubt.
    const byStatus = await db
      .select({ status: broadcastDeliveries.status, n: sql<number>`count(*)::int` })
      .from(broadcastDeliveries)
      .where(eq(broadcastDeliveries.broadcastId, b.id))
      .groupBy(broadcastDeliveries.status);
    expect(Object.fromEntries(byStatus.map((r) => [r.status, r.n]))).toEqual({ sent: sentBeforeStop, pending: 50 - sentBeforeStop });

    await startWorker({ SEND_RATE_PER_SECOND: "25" });
    for (let i = 0; i < 120; i++) {
      const [row] = await db.select({ status: broadcasts.status }).from(broadcasts).where(eq(broadcasts.id, b.id));
      if (row!.status === "done") break;
      await sleep(250);
    }
    const [done] = await db.select().from(broadcasts).where(eq(broadcasts.id, b.id));
    expect(done!.status).toBe("done");
    for (const r of recipients) expect(sendsTo(r.telegramId).filter((c) => c.params.text === text)).toHaveLength(1);
    const deliveries = await db.select().from(broadcastDeliveries).where(and(eq(broadcastDeliveries.broadcastId, b.id), eq(broadcastDeliveries.status, "sent")));
    expect(deliveries).toHaveLength(50);
  }, 120_000);

  it("with a send in flight: the send is finished, not cut; the other claimed jobs are pending at once with their attempts unchanged; all arrive once", async () => {
    const recipients = await Promise.all(Array.from({ length: 6 }, () => makeClient(db)));
    await db.transaction(async (tx) => {
      for (const [i, r] of recipients.entries()) {
        await enqueue(tx, "notify.client", { clientId: r.clientId, message: "balance-adjusted", params: { points: i + 1, balance: i + 1 } }, { runAt: new Date(Date.now() + i) });
      }
    });
    // As if each had failed twice before: the interrupted run must not count a third time.
    await db.update(jobs).set({ attempts: 2 }).where(eq(jobs.kind, "notify.client"));
    // Telegram answers the first message only after 3 s: the worker is inside that send when SIGTERM comes.
    telegram.fake.delayNext(tokens.client, "sendMessage", 3_000);
    // With its ops server, as systemd runs it: /readyz tells a load balancer or a probe that it is going away.
    const first = await startWorker({ METRICS_PORT: "0" });
    const opsUrl = await listeningUrl(first);
    expect((await fetch(`${opsUrl}/readyz`)).status).toBe(200);
    await telegram.fake.waitForText(tokens.client, recipients[0]!.telegramId, /скорректирован/, 20_000);

    const stopping = stopTimed(first);
    await sleep(300);
    const readyz = await fetch(`${opsUrl}/readyz`);
    expect(readyz.status).toBe(503);
    expect(await readyz.text()).toMatch(/shutting down/);
    const tookMs = await stopping;
    expect(first.exitCode).toBe(0);
    expect(tookMs).toBeLessThan(10_000);
    expect(tookMs).toBeGreaterThanOrEqual(2_000); // it waited for Telegram's answer instead of leaving mid-send

    const rows = await db.select().from(jobs).where(eq(jobs.kind, "notify.client")).orderBy(jobs.id);
    expect(rows.map((j) => j.status)).toEqual(["done", "pending", "pending", "pending", "pending", "pending"]);
    expect(rows[0]!.attempts).toBe(3);
    for (const j of rows.slice(1)) {
      expect(j.attempts).toBe(2);
      expect(j.runAt.getTime()).toBeLessThanOrEqual(Date.now());
    }
    for (const r of recipients.slice(1)) expect(sendsTo(r.telegramId)).toHaveLength(0);

    await startWorker();
    for (const [i, r] of recipients.entries()) await telegram.fake.waitForText(tokens.client, r.telegramId, new RegExp(`скорректирован.*: ${i + 1}\\.`), 15_000);
    await sleep(1_500); // anything sent twice would have arrived by now
    for (const r of recipients) expect(sendsTo(r.telegramId)).toHaveLength(1);
  }, 120_000);
});
