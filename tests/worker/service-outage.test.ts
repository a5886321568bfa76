import { eq } from "drizzle-orm";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { enqueue } from "../../core/jobs/outbox.js";
import { jobs } from "../../db/schema/index.js";
import { FakeBotApi } from "../helpers/fake-bot-api.js";
import { useTestDb } from "../helpers/db.js";
import { testDatabaseName, testRedisUrl } from "../helpers/env.js";
import { makeClient } from "../helpers/fixtures.js";
import { logLines, rawLines } from "../helpers/process-output.js";
import { botInfo, ProductProcess, tokens } from "../helpers/processes.js";
import { RedisServer } from "../helpers/redis-server.js";
import { TcpProxy } from "../helpers/tcp-proxy.js";

/**
 * The worker when Postgres or Redis goes away (a cuttable proxy in front of the shared Postgres, a redis-server of
 * the test's own): it does not crash, says so once when the outage starts and once when it ends (not every retry),
 * and goes on by itself; started while Postgres is down, it waits with one line and then starts.
 */
const db = useTestDb({ max: 2 });
let fake: FakeBotApi;
let proxy: TcpProxy;
let worker: ProductProcess | undefined;

beforeAll(async () => {
  fake = await FakeBotApi.start();
  for (const bot of ["client", "partner", "admin"] as const) fake.addBot(tokens[bot], botInfo[bot]);
  proxy = await TcpProxy.start();
});
beforeEach(async () => {
  const redis = new Redis(testRedisUrl);
  await redis.flushdb();
  redis.disconnect();
});
afterEach(async ({ task }) => {
  if (task.result?.state === "fail" && worker) console.error(`--- worker output:\n${worker.output.slice(-4_000)}`);
  proxy.restore();
  await worker?.stop();
  worker = undefined;
});
afterAll(async () => {
  await proxy?.stop();
  await fake?.stop();
});

async function startWorker(env: Record<string, string>, started = true) {
  worker = new ProductProcess("worker", fake.url, { LOG_LEVEL: "info", ...env }).start();
  if (started) await waitForLog(worker, /worker started/);
  return worker;
}

async function waitForLog(process: ProductProcess, msg: RegExp, timeoutMs = 30_000) {
  for (let waited = 0; waited < timeoutMs && logLines(process.output, msg).length === 0; waited += 250) await sleep(250);
  expect(logLines(process.output, msg)).not.toHaveLength(0);
}

/** A message to a new client, and its arrival. */
async function sendsAgain(clientNumber: number) {
  const c = await makeClient(db);
  await enqueue(db, "notify.client", { clientId: c.clientId, message: "balance-adjusted", params: { points: clientNumber, balance: clientNumber } }, { runAt: new Date() });
  await fake.waitForText(tokens.client, c.telegramId, new RegExp(`скорректирован.*: ${clientNumber}\\.`), 15_000);
}

/** Nothing but one line each way: no per-retry error, no raw stack trace. */
function expectOutageLoggedOnce(output: string, down: RegExp, back: RegExp) {
  expect(logLines(output, down)).toHaveLength(1);
  expect(logLines(output, back)).toHaveLength(1);
  expect(logLines(output, /worker (outbox|housekeeping) failed/)).toHaveLength(0);
  expect(rawLines(output)).toEqual([]);
}

describe("the worker when Postgres or Redis goes away", () => {
  it("Postgres cut for 8 s: one line when it goes, one when it is back, and jobs run again", async () => {
    const w = await startWorker({ DATABASE_URL: proxy.postgresUrl(testDatabaseName) });
    await sendsAgain(1);
    proxy.cut();
    await sleep(8_000); // several of the loops' retries
    proxy.restore();
    await sendsAgain(2);
    expect(w.running).toBe(true);
    expectOutageLoggedOnce(w.output, /Postgres is unavailable/, /Postgres is back/);
  }, 60_000);

  it("started while Postgres is down: waits with one line, starts when it is back", async () => {
    proxy.cut();
    const w = await startWorker({ DATABASE_URL: proxy.postgresUrl(testDatabaseName) }, false);
    await waitForLog(w, /Postgres is unavailable/);
    await sleep(4_000);
    expect(w.running).toBe(true);
    expect(logLines(w.output, /worker started/)).toHaveLength(0);
    proxy.restore();
    await waitForLog(w, /worker started/);
    await sendsAgain(3);
    expectOutageLoggedOnce(w.output, /Postgres is unavailable/, /Postgres is back/);
  }, 60_000);

  it("Redis gone for 6 s: one line when it goes, one when it is back; a job due meanwhile is sent once after", async () => {
    const redisServer = await (await RedisServer.onFreePort()).start();
    try {
      const w = await startWorker({ REDIS_URL: redisServer.url });
      await sendsAgain(4);
      await redisServer.stop();
      const c = await makeClient(db);
      await enqueue(db, "notify.client", { clientId: c.clientId, message: "balance-adjusted", params: { points: 5, balance: 5 } }, { runAt: new Date() });
      await sleep(6_000);
      expect(fake.messagesTo(tokens.client, c.telegramId)).toHaveLength(0); // it remembers deliveries in Redis: no send without it
      await redisServer.start();
      await fake.waitForText(tokens.client, c.telegramId, /скорректирован.*: 5\./, 15_000);
      await sleep(1_000);
      expect(fake.messagesTo(tokens.client, c.telegramId)).toHaveLength(1);
      const [job] = await db.select().from(jobs).where(eq(jobs.kind, "notify.client")).orderBy(jobs.id).offset(1);
      expect(job).toMatchObject({ status: "done", attempts: 1 });
      expectOutageLoggedOnce(w.output, /Redis is unavailable/, /Redis is back/);
    } finally {
      await worker?.stop();
      await redisServer.stop();
    }
  }, 60_000);
});
