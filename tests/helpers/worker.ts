import { Api } from "grammy";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { pino } from "pino";
import { createI18n } from "../../telegram/i18n.js";
import { fixedClock } from "../../core/clock.js";
import type { Db } from "../../db/client.js";
import type { OutboxDeps } from "../../worker/outbox.js";
import { PacedSender } from "../../worker/sender.js";
import { testRedisUrl } from "./env.js";
import { FakeBotApi } from "./fake-bot-api.js";
import { botInfo, ProductProcess, tokens } from "./processes.js";

/** What the worker's job runner needs, pointed at the fake Bot API, with the clock stopped at `at`. */
export function outboxDepsFor(fake: FakeBotApi, db: Db, redis: Redis, at: Date, adminIds: number[] = [4_242]): OutboxDeps {
  const api = (bot: keyof typeof tokens) => new Api(tokens[bot], { apiRoot: fake.url });
  return {
    db,
    redis,
    logger: pino({ level: "silent" }),
    clock: fixedClock(at),
    adminIds,
    apis: { client: api("client"), partner: api("partner"), admin: api("admin") },
    senders: { client: new PacedSender(api("client")), partner: new PacedSender(api("partner")), admin: new PacedSender(api("admin")) },
    i18n: { client: createI18n("client"), partner: createI18n("partner"), admin: createI18n("admin") },
  };
}

/**
 * A fake Bot API with the three bots and a Redis connection for one test file. Redis is emptied before each test:
 * every fake numbers updates from 1, so dedupe marks left by another test would drop this one's updates.
 */
export function useFakeTelegram(): { readonly fake: FakeBotApi; readonly redis: Redis } {
  const state = {} as { fake: FakeBotApi; redis: Redis };
  beforeAll(async () => {
    state.fake = await FakeBotApi.start();
    for (const bot of ["client", "partner", "admin"] as const) state.fake.addBot(tokens[bot], botInfo[bot]);
    state.redis = new Redis(testRedisUrl);
  });
  beforeEach(async () => {
    await state.redis.flushdb();
  });
  afterAll(async () => {
    await state.fake?.stop();
    state.redis?.disconnect();
  });
  return {
    get fake() {
      return state.fake;
    },
    get redis() {
      return state.redis;
    },
  };
}

/**
 * Worker processes (real children, as two machines would run them) against one fake Bot API, for a test file: Redis
 * emptied before each test (job ids start from 1 again with the emptied database, so what an earlier run remembers as
 * delivered must go too); after it the workers are stopped (their output printed if it failed) and Telegram is
 * reachable again. Push the workers a test starts into `workers`.
 */
export function useWorkerProcesses() {
  const state = { fake: undefined as unknown as FakeBotApi, workers: [] as ProductProcess[] };
  beforeAll(async () => {
    state.fake = await FakeBotApi.start();
    for (const bot of ["client", "partner", "admin"] as const) state.fake.addBot(tokens[bot], botInfo[bot]);
  });
  beforeEach(async () => {
    const redis = new Redis(testRedisUrl);
    await redis.flushdb();
    redis.disconnect();
  });
  afterEach(async ({ task }) => {
    if (task.result?.state === "fail") for (const w of state.workers) console.error(`--- worker output:\n${w.output.slice(-4_000)}`);
    for (const w of state.workers.splice(0)) await w.stop();
    state.fake.setReachable(true);
  });
  afterAll(async () => {
    await state.fake?.stop();
  });
  return state;
}
