import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { clientCommands } from "../../bots/client/bot.js";
import { createI18n } from "../../telegram/i18n.js";
import type { BotDeps } from "../../bots/shared/deps.js";
import { closeDb, createDb } from "../../db/client.js";
import { eq } from "drizzle-orm";
import { registerClient, setClientBlocked } from "../../core/clients/service.js";
import { clients } from "../../db/schema/index.js";
import { useTestDb } from "../helpers/db.js";
import { useFakeTelegram } from "../helpers/worker.js";
import { useInProcessBot } from "../helpers/in-process-bot.js";
import { tokens } from "../helpers/processes.js";
import { testAppSecret } from "../helpers/env.js";

const db = useTestDb({ max: 5 });
const telegram = useFakeTelegram();
const bots = useInProcessBot(db, telegram);
const user = { id: 4242, first_name: "Тест" };

/** The real client bot, in this process, polling the fake API, with its log lines kept. */
function startClientBot(overrides: Partial<BotDeps> = {}) {
  const lines: string[] = [];
  const logger = pino({ level: "info" }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
  const bot = bots.start("client", { logger, ...overrides });
  return { bot, lines };
}

const repliesSince = (since: number) => telegram.fake.calls(tokens.client).filter((c) => c.at >= since && c.method === "sendMessage" && Number(c.params.chat_id) === user.id);

describe("the shared middleware stack", () => {
  it("rate limit: over the limit the user is told to slow down once, and the extra updates are not handled", async () => {
    startClientBot({ rateLimit: { limit: 3, windowMs: 60_000 } });
    const since = Date.now();
    for (let i = 0; i < 8; i++) telegram.fake.sendText(tokens.client, user, "/help");
    await telegram.fake.waitForText(tokens.client, user.id, /Слишком много сообщений/);
    await new Promise((r) => setTimeout(r, 1_000));
    const texts = repliesSince(since).map((c) => String(c.params.text));
    expect(texts.filter((t) => /Слишком много/.test(t))).toHaveLength(1);
    expect(texts.filter((t) => /Я храню ваши баллы/.test(t))).toHaveLength(3);
  });

  it("error boundary: a failure the user cannot fix gets 'something went wrong' in their language and a log line with the update id", async () => {
    const broken = createDb("postgres://postgres@127.0.0.1:5432/no_such_database_here", { max: 1 });
    try {
      const { lines } = startClientBot({ db: broken });
      const since = Date.now();
      const updateId = telegram.fake.sendText(tokens.client, { ...user, language_code: "en" }, "/balance");
      await telegram.fake.waitForText(tokens.client, user.id, /Something went wrong/);
      expect(repliesSince(since)).toHaveLength(1);
      const logged = lines.map((l) => JSON.parse(l) as { msg: string; updateId?: number; level: number });
      expect(logged).toContainEqual(expect.objectContaining({ msg: "update failed", updateId, level: 50 }));
      // The process is still serving.
      expect(bots.isRunning()).toBe(true);
    } finally {
      await closeDb(broken);
    }
  });

  it("a duplicate update is handled once", async () => {
    startClientBot();
    const since = Date.now();
    const updateId = telegram.fake.sendText(tokens.client, user, "/help");
    await telegram.fake.waitForText(tokens.client, user.id, /Я храню ваши баллы/);
    telegram.fake.redeliver(tokens.client, updateId);
    telegram.fake.sendText(tokens.client, user, "/cancel"); // a later update, so we know the duplicate was seen by then
    await telegram.fake.waitForText(tokens.client, user.id, /нечего отменять/);
    expect(repliesSince(since).filter((c) => /Я храню ваши баллы/.test(String(c.params.text)))).toHaveLength(1);
  });

  it("an unknown or forged button gets a polite answer, never silence", async () => {
    startClientBot();
    for (const data of ["nonsense", "rdm:yes:notanumber", "nps:1:99"]) {
      const since = Date.now();
      telegram.fake.pressButton(tokens.client, user, data);
      const answer = await telegram.fake.waitFor(tokens.client, (c) => c.at >= since && c.method === "answerCallbackQuery");
      expect(String(answer.params.text)).toMatch(/больше не действует|Сначала присоединитесь/);
    }
  });

  it("a client marked unreachable (they had blocked the bot) is reachable again as soon as they write to it", async () => {
    const { client } = await registerClient(db, { telegramId: user.id, firstName: "Тест" }, { appSecret: testAppSecret });
    await db.update(clients).set({ unreachableSince: new Date() }).where(eq(clients.id, client.id));
    startClientBot();
    telegram.fake.sendText(tokens.client, user, "/balance");
    await telegram.fake.waitForText(tokens.client, user.id, /Баланс/);
    const [after] = await db.select().from(clients).where(eq(clients.id, client.id));
    expect(after!.unreachableSince).toBeNull();
  });

  it("a group chat gets no answer: conversations and buttons are for one person at a time", async () => {
    startClientBot();
    const since = Date.now();
    telegram.fake.pushUpdate(tokens.client, { message: { message_id: 1, date: 0, chat: { id: -100500, type: "group", title: "Кафе" }, from: { id: user.id, is_bot: false, first_name: "Тест" }, text: "/start", entities: [{ type: "bot_command", offset: 0, length: 6 }] } });
    telegram.fake.sendText(tokens.client, user, "/cancel"); // a private message after it, to know the group one was handled
    await telegram.fake.waitForText(tokens.client, user.id, /нечего отменять/);
    expect(telegram.fake.calls(tokens.client).filter((c) => c.at >= since && c.method === "sendMessage" && Number(c.params.chat_id) === -100500)).toEqual([]);
  });

  it("commands are described in Russian by default and in English for English users", async () => {
    const i18n = createI18n("client");
    const { bot } = startClientBot();
    // What launchBot publishes at start, done here the same way.
    for (const language of ["ru", "en"] as const) {
      await bot.api.setMyCommands(clientCommands.map((command) => ({ command, description: i18n.t(language, `cmd-${command}`) })), { language_code: language });
    }
    const calls = telegram.fake.calls(tokens.client).filter((c) => c.method === "setMyCommands");
    const en = calls.find((c) => c.params.language_code === "en")!;
    expect((en.params.commands as { command: string; description: string }[]).find((c) => c.command === "balance")?.description).toBe("Balance and tier");
  });

  it("a client blocked after /delete_me asked is told the account is blocked, not that the data was deleted, and nothing is erased", async () => {
    const { client: { id: clientId } } = await registerClient(db, { telegramId: user.id, firstName: "Тест" }, { appSecret: testAppSecret });
    startClientBot();
    telegram.fake.sendText(tokens.client, user, "/delete_me");
    await telegram.fake.waitForText(tokens.client, user.id, /Удалить ваши данные\?/);
    await setClientBlocked(db, { adminTelegramId: 1, clientId, blocked: true, reason: "проверка" });
    const since = Date.now();
    telegram.fake.pressButton(tokens.client, user, "del:yes");
    await telegram.fake.waitForText(tokens.client, user.id, /заблокирован/);
    await new Promise((r) => setTimeout(r, 500));
    const after = telegram.fake.calls(tokens.client).filter((c) => c.at >= since && Number(c.params.chat_id) === user.id).map((c) => String(c.params.text ?? ""));
    expect(after.join("\n")).not.toMatch(/данные удалены/);
    const [row] = await db.select().from(clients).where(eq(clients.id, clientId));
    expect(row).toMatchObject({ status: "blocked", telegramId: user.id, firstName: "Тест" });
  });
});
