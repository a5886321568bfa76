import { setTimeout as sleep } from "node:timers/promises";
import { and, eq, sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { attachPhone } from "../../core/clients/service.js";
import { enqueue } from "../../core/jobs/outbox.js";
import { closeDb, createDb } from "../../db/client.js";
import { ledgerEntries, purchases } from "../../db/schema/index.js";
import { useTestDb } from "../helpers/db.js";
import { testDatabaseName, testRedisUrl } from "../helpers/env.js";
import { FakeBotApi } from "../helpers/fake-bot-api.js";
import { makeClient, makePartner } from "../helpers/fixtures.js";
import { logLines, rawLines } from "../helpers/process-output.js";
import { botInfo, ProductProcess, tokens, type ProcessName } from "../helpers/processes.js";
import { TcpProxy } from "../helpers/tcp-proxy.js";
import { startTestWebServer } from "../helpers/web-server.js";

/**
 * Postgres going away under running processes, and processes started while it is away. The processes reach
 * Postgres through a TCP proxy that the test cuts (every connection reset, new ones refused) and restores; the
 * machine's Postgres itself is never touched.
 */

const db = useTestDb({ max: 3 });
let fake: FakeBotApi;
let proxy: TcpProxy;
const procs: ProductProcess[] = [];

beforeAll(async () => {
  fake = await FakeBotApi.start();
  for (const bot of ["client", "partner", "admin"] as const) fake.addBot(tokens[bot], botInfo[bot]);
  proxy = await TcpProxy.start();
});
afterEach(async ({ task }) => {
  if (task.result?.state === "fail") for (const p of procs) console.error(`--- ${p.name} output:\n${p.output.slice(-4_000)}`);
  proxy.restore();
  for (const p of procs.splice(0)) await p.stop();
});
afterAll(async () => {
  await fake?.stop();
  await proxy?.stop();
});

function start(name: ProcessName): ProductProcess {
  const p = new ProductProcess(name, fake.url, { DATABASE_URL: proxy.postgresUrl(testDatabaseName), LOG_LEVEL: "info" }).start();
  procs.push(p);
  return p;
}

const polling = (bot: "client" | "partner", since: number, timeoutMs = 60_000) => fake.waitFor(tokens[bot], (c) => c.method === "getUpdates" && c.at >= since, timeoutMs);

type User = { id: number; first_name: string; language_code?: string };

/** Sends `text` and resolves with the first message to the user after it matching `expected`, and how long it took. */
async function ask(bot: "client" | "partner", user: User, text: string, expected: RegExp, timeoutMs = 10_000) {
  const since = Date.now();
  fake.sendText(tokens[bot], user, text);
  const call = await fake.waitFor(tokens[bot], (c) => c.method === "sendMessage" && c.at >= since && c.failed === undefined && Number(c.params.chat_id) === user.id && expected.test(String(c.params.text)), timeoutMs);
  return { text: String(call.params.text), ms: call.at - since };
}

/** Asks until the answer is no longer "temporarily unavailable": the bot serves again by itself. */
async function untilServed(bot: "client" | "partner", user: User, text: string, expected: RegExp) {
  for (let i = 0; i < 30; i++) {
    const answer = await ask(bot, user, text, new RegExp(`${expected.source}|временно недоступен|temporarily unavailable`), 10_000);
    if (expected.test(answer.text)) return answer;
    await sleep(500);
  }
  throw new Error(`${bot} did not serve ${text} again`);
}

const unavailable = { ru: /временно недоступен/, en: /temporarily unavailable/ };
const ru = { id: 6_200_001, first_name: "Иван" };
const en = { id: 6_200_002, first_name: "John", language_code: "en" };

describe("Postgres goes down under running bots", () => {
  it("users get 'temporarily unavailable' in their language within 2 s, the processes stay up, log the outage once, and serve again by themselves", async () => {
    const since = Date.now();
    const client = start("client");
    const partner = start("partner");
    await Promise.all([polling("client", since), polling("partner", since)]);
    await ask("client", ru, "/help", /Я храню ваши баллы/);

    proxy.cut();
    for (const [bot, user, expected] of [
      ["client", ru, unavailable.ru],
      ["client", en, unavailable.en],
      ["partner", ru, unavailable.ru],
      ["partner", en, unavailable.en],
      ["client", ru, unavailable.ru],
    ] as const) {
      const answer = await ask(bot, user, "/help", expected, 5_000);
      expect(answer.ms).toBeLessThan(2_000);
    }
    await sleep(3_000); // the outage goes on: the processes keep probing, quietly
    expect(client.running).toBe(true);
    expect(partner.running).toBe(true);

    proxy.restore();
    await untilServed("client", en, "/help", /I keep your network points/);
    await untilServed("partner", ru, "/help", /./);
    await ask("client", ru, "/help", /Я храню ваши баллы/);

    for (const p of [client, partner]) {
      expect(rawLines(p.output)).toEqual([]);
      expect(logLines(p.output, /^Postgres is unavailable/)).toHaveLength(1);
      // Each refused update is one short warning, never a stack trace.
      const refused = logLines(p.output, /^update refused: Postgres is unavailable/);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.every((l) => l.level === 40 && l.err === undefined)).toBe(true);
      expect(logLines(p.output, /^update failed/)).toEqual([]);
    }
    // The line that says it is over comes from the probe, within a few seconds of the restore.
    for (let i = 0; i < 20 && logLines(client.output, /^Postgres is back/).length === 0; i++) await sleep(250);
    expect(logLines(client.output, /^Postgres is back/)).toHaveLength(1);
  });

  it("a cashier's confirmation that lands while Postgres is away writes nothing and says to try again; pressed again once it is back, it accrues exactly once", async () => {
    const { partnerId, staffTelegramId } = await makePartner(db);
    const { clientId } = await makeClient(db);
    await attachPhone(db, { clientId, phone: "+79161112233" });
    const cashier = { id: staffTelegramId, first_name: "Анна" };
    const since = Date.now();
    start("partner");
    await polling("partner", since);

    await ask("partner", cashier, "/accrue", /Клиент: введите/);
    await ask("partner", cashier, "+7 916 111-22-33", /Сумма чека/);
    await ask("partner", cashier, "1500", /Номер чека/);
    await ask("partner", cashier, "R-1", /Начислить клиенту/);
    const confirmation = fake.messagesTo(tokens.partner, cashier.id).at(-1)!;
    const confirm = (confirmation.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard.flat().find((b) => /Подтвердить/.test(b.text))!;
    const press = async () => {
      const from = Date.now();
      fake.pressButton(tokens.partner, cashier, confirm.callback_data, { message_id: confirmation.message_id, chat_id: cashier.id });
      const answer = await fake.waitFor(
        tokens.partner,
        (c) => c.at >= from && c.failed === undefined && ((c.method === "answerCallbackQuery" && c.params.text !== undefined) || (c.method === "sendMessage" && Number(c.params.chat_id) === cashier.id)),
        10_000,
      );
      return { text: String(answer.params.text), ms: answer.at - from };
    };

    proxy.cut();
    const refused = await press();
    expect(refused.text).toMatch(unavailable.ru);
    expect(refused.ms).toBeLessThan(2_000);
    proxy.restore();
    const written = async () => ({
      purchases: await db.select().from(purchases).where(eq(purchases.partnerId, partnerId)),
      accruals: await db.select().from(ledgerEntries).where(and(eq(ledgerEntries.clientId, clientId), eq(ledgerEntries.kind, "accrual"))),
    });
    expect(await written()).toEqual({ purchases: [], accruals: [] });

    let answer = refused.text;
    for (let i = 0; i < 30 && unavailable.ru.test(answer); i++) {
      await sleep(500);
      answer = (await press()).text;
    }
    expect(answer).toMatch(/Начислено 75 баллов/);
    await press(); // pressed once more (or delivered again): nothing more is written
    await sleep(500);
    const after = await written();
    expect(after.purchases.map((p) => p.receiptNumber)).toEqual(["R-1"]);
    expect(after.accruals.map((e) => e.points)).toEqual([75]);
  });
});

describe("a process started while Postgres is away", () => {
  it("a bot and the worker wait with one log line and no stack trace, then serve and work once it is back", async () => {
    const { telegramId, clientId } = await makeClient(db);
    await enqueue(db, "notify.client", { clientId, message: "balance-adjusted", params: { points: 3, balance: 3 } }, { runAt: new Date() });
    proxy.cut();
    const bot = start("client");
    const worker = start("worker");
    for (let i = 0; i < 120 && [bot, worker].some((p) => logLines(p.output, /^Postgres is unavailable/).length === 0); i++) await sleep(250);
    await sleep(4_000); // it keeps retrying, quietly
    for (const p of [bot, worker]) {
      expect(p.running).toBe(true);
      expect(rawLines(p.output)).toEqual([]);
      expect(logLines(p.output, /^Postgres is unavailable/)).toHaveLength(1);
    }
    expect(fake.messagesTo(tokens.client, telegramId)).toEqual([]);

    const since = Date.now();
    proxy.restore();
    await polling("client", since);
    await ask("client", en, "/help", /I keep your network points/);
    await fake.waitForText(tokens.client, telegramId, /скорректирован/, 20_000);
    for (const p of [bot, worker]) {
      expect(rawLines(p.output)).toEqual([]);
      expect(logLines(p.output, /^Postgres is unavailable/)).toHaveLength(1);
      expect(logLines(p.output, /^Postgres is back/)).toHaveLength(1);
    }
  });
});

describe("the web server's API while Postgres is away", () => {
  it("answers 503 TEMPORARILY_UNAVAILABLE (not a 500), and serves again once it is back", async () => {
    const webDb = createDb(proxy.postgresUrl(testDatabaseName), { max: 2 });
    const redis = new Redis(testRedisUrl);
    const server = await startTestWebServer({ db: webDb, redis, telegramApiRoot: fake.url, pages: { miniApp: null, dashboard: null } });
    // A session cookie makes the dashboard API look the session up in Postgres.
    const me = () => fetch(`${server.url}/api/dashboard/me`, { headers: { cookie: "cb_session=not-a-real-session-token" } });
    try {
      expect((await me()).status).toBe(401); // Postgres up: no such session
      proxy.cut();
      const started = Date.now();
      const res = await me();
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("TEMPORARILY_UNAVAILABLE");
      proxy.restore();
      let status = 503;
      for (let i = 0; i < 20 && status === 503; i++) {
        status = (await me()).status;
        if (status === 503) await sleep(250);
      }
      expect(status).toBe(401);
      expect(await db.execute(sql`select 1`)).toHaveLength(1);
    } finally {
      await server.close();
      redis.disconnect();
      await closeDb(webDb);
    }
  });
});
