import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FakeBotApi } from "../helpers/fake-bot-api.js";
import { useTestDb } from "../helpers/db.js";
import { makeClient, makePartner } from "../helpers/fixtures.js";
import { enqueue } from "../../core/jobs/outbox.js";
import { botInfo, ProductProcess, tokens } from "../helpers/processes.js";
import { RedisServer } from "../helpers/redis-server.js";
import { logLines, rawLines } from "../helpers/process-output.js";

/**
 * Redis going away under running bots, and bots started while it is away. Each test runs its OWN throwaway
 * redis-server on a free port (never the machine's shared one), kills it and starts it again empty.
 */

const db = useTestDb({ max: 3 });
let fake: FakeBotApi;
const procs: ProductProcess[] = [];
// (Each test has its own redis-server, so nothing remembered by an earlier run can leak in.)
const servers: RedisServer[] = [];

beforeAll(async () => {
  fake = await FakeBotApi.start();
  for (const bot of ["client", "partner", "admin"] as const) fake.addBot(tokens[bot], botInfo[bot]);
});
afterEach(async ({ task }) => {
  if (task.result?.state === "fail") for (const p of procs) console.error(`--- ${p.name} output:\n${p.output.slice(-4_000)}`);
  for (const p of procs.splice(0)) await p.stop();
  for (const s of servers.splice(0)) await s.stop();
});
afterAll(async () => {
  await fake?.stop();
});

async function newRedis(): Promise<RedisServer> {
  const server = await RedisServer.onFreePort();
  servers.push(server);
  return server;
}

function startBot(name: "client" | "partner", redis: RedisServer): ProductProcess {
  const p = new ProductProcess(name, fake.url, { REDIS_URL: redis.url, LOG_LEVEL: "info" }).start();
  procs.push(p);
  return p;
}

const polling = (bot: "client" | "partner", since: number, timeoutMs = 30_000) => fake.waitFor(tokens[bot], (c) => c.method === "getUpdates" && c.at >= since, timeoutMs);

/** Sends `text` and resolves with the first message to the user after it matching `expected`, and how long it took. */
async function ask(bot: "client" | "partner", user: { id: number; first_name: string; language_code?: string }, text: string, expected: RegExp, timeoutMs = 10_000) {
  const since = Date.now();
  fake.sendText(tokens[bot], user, text);
  const call = await fake.waitFor(tokens[bot], (c) => c.method === "sendMessage" && c.at >= since && c.failed === undefined && Number(c.params.chat_id) === user.id && expected.test(String(c.params.text)), timeoutMs);
  return { text: String(call.params.text), ms: call.at - since };
}

const ru = { id: 6_100_001, first_name: "Иван" };
const en = { id: 6_100_002, first_name: "John", language_code: "en" };

describe("Redis goes down", () => {
  it("a running bot answers 'temporarily unavailable' in the user's language within 2 s, logs the outage once through pino, and recovers by itself when Redis comes back empty", async () => {
    const redis = await (await newRedis()).start();
    const since = Date.now();
    const bot = startBot("client", redis);
    await polling("client", since);
    await ask("client", ru, "/help", /Я храню ваши баллы/);

    await redis.stop();
    // Several updates during the outage: each answered quickly, none hangs on ioredis's retries.
    for (const [user, expected] of [[ru, /временно недоступен/], [en, /temporarily unavailable/], [ru, /временно недоступен/]] as const) {
      const answer = await ask("client", user, "/help", expected, 5_000);
      expect(answer.ms).toBeLessThan(2_000);
    }
    await sleep(3_000); // a few reconnect attempts
    expect(bot.running).toBe(true);

    await redis.start(); // empty: no dedupe marks, no conversations, no published usernames
    let back = false;
    for (let i = 0; i < 20 && !back; i++) {
      back = await ask("client", en, "/help", /I keep your network points|temporarily unavailable/, 5_000).then((a) => !/temporarily/.test(a.text));
      if (!back) await sleep(500);
    }
    expect(back).toBe(true);
    await ask("client", ru, "/help", /Я храню ваши баллы/);

    expect(rawLines(bot.output)).toEqual([]);
    expect(logLines(bot.output, /^Redis is unavailable/)).toHaveLength(1);
    expect(logLines(bot.output, /Redis is back/)).toHaveLength(1);
  });

  it("a bot started while Redis is down waits for it with one log line, no crash, and serves once it is up", async () => {
    const redis = await newRedis(); // not started yet
    const bot = startBot("client", redis);
    for (let i = 0; i < 60 && logLines(bot.output, /^Redis is unavailable/).length === 0; i++) await sleep(500);
    await sleep(4_000); // it keeps trying, quietly
    expect(bot.running).toBe(true);
    expect(rawLines(bot.output)).toEqual([]);
    expect(logLines(bot.output, /^Redis is unavailable/)).toHaveLength(1);

    const since = Date.now();
    await redis.start();
    await polling("client", since);
    await ask("client", ru, "/help", /Я храню ваши баллы/);
    expect(rawLines(bot.output)).toEqual([]);
  });

  it("a worker started while Redis is down does not crash, and sends what is due once Redis is up", async () => {
    const redis = await newRedis(); // not started yet
    const { telegramId, clientId } = await makeClient(db);
    await enqueue(db, "notify.client", { clientId, message: "balance-adjusted", params: { points: 3, balance: 3 } }, { runAt: new Date() });
    const worker = new ProductProcess("worker", fake.url, { REDIS_URL: redis.url, LOG_LEVEL: "info" }).start();
    procs.push(worker);
    for (let i = 0; i < 60 && logLines(worker.output, /^Redis is unavailable/).length === 0; i++) await sleep(500);
    await sleep(3_000);
    expect(worker.running).toBe(true);
    expect(fake.messagesTo(tokens.client, telegramId)).toEqual([]); // it does not send without knowing what it already sent
    await redis.start();
    await fake.waitForText(tokens.client, telegramId, /скорректирован/, 15_000);
    expect(rawLines(worker.output)).toEqual([]);
    expect(logLines(worker.output, /^Redis is unavailable/)).toHaveLength(1);
  });

  it("after Redis comes back empty, the partner bot still gives out the client bot's link (asks Telegram for its username)", async () => {
    const redis = await (await newRedis()).start();
    const { staffTelegramId } = await makePartner(db);
    const owner = { id: staffTelegramId, first_name: "Анна" };
    const since = Date.now();
    startBot("partner", redis);
    await polling("partner", since);

    await redis.stop();
    await redis.start(); // empty, and no client bot running to publish its username again
    let answer = "";
    for (let i = 0; i < 20 && !/cashback_client_bot/.test(answer); i++) {
      const caption = await (async () => {
        const from = Date.now();
        fake.sendText(tokens.partner, owner, "/link");
        const call = await fake.waitFor(tokens.partner, (c) => c.at >= from && c.failed === undefined && Number(c.params.chat_id) === owner.id && (c.method === "sendPhoto" || c.method === "sendMessage"), 5_000);
        return String(call.params.caption ?? call.params.text);
      })();
      answer = caption;
      if (/временно недоступен/.test(answer)) await sleep(500);
      else break;
    }
    expect(answer).toMatch(/https:\/\/t\.me\/cashback_client_bot\?start=p_/);
  });
});
