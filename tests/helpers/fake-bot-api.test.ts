import { randomBytes } from "node:crypto";
import { autoRetry } from "@grammyjs/auto-retry";
import { run } from "@grammyjs/runner";
import { Bot, GrammyError, InlineKeyboard, InputFile } from "grammy";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { blockedByUser, FakeBotApi, tooManyRequests } from "./fake-bot-api.js";

// The fake is driven here by a real grammY bot over HTTP, exactly as the product's processes will use it.

const alice = { id: 42, first_name: "Alice", language_code: "en" };
const bob = { id: 43, first_name: "Bob" };

let fake: FakeBotApi;
let lastBotId = 500_000;
/** Runners and bots started by a test, stopped after it. */
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  fake = await FakeBotApi.start();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  await fake.stop();
});

/** A bot of its own for each test, so no state leaks between tests. */
function newBot(api = fake) {
  const id = ++lastBotId;
  const token = `${id}:TEST${id}secretSECRETsecret`;
  api.addBot(token, { id, username: `fake_${id}_bot`, first_name: "Fake" });
  return { id, token, bot: new Bot(token, { client: { apiRoot: api.url } }) };
}

/** Long polling with @grammyjs/runner, like the product, with a short poll so stopping is quick. */
function runBot(bot: Bot) {
  const runner = run(bot, { runner: { fetch: { timeout: 1 } } });
  cleanups.push(async () => {
    if (runner.isRunning()) await runner.stop();
  });
  return runner;
}

async function raw(path: string, init?: RequestInit) {
  const res = await fetch(`${fake.url}${path}`, init);
  return { status: res.status, body: (await res.json()) as { ok: boolean; result?: unknown; error_code?: number; description?: string } };
}

describe("fake Bot API with a polling grammY bot", () => {
  it("delivers a /start with a payload to bot.command, records the reply, and a button press edits it", async () => {
    const { token, bot } = newBot();
    bot.command("start", (ctx) => ctx.reply(`payload: ${ctx.match}`, { reply_markup: new InlineKeyboard().text("Yes", "answer:yes") }));
    bot.on("callback_query:data", async (ctx) => {
      await ctx.answerCallbackQuery({ text: "ok" });
      await ctx.editMessageText(`pressed ${ctx.callbackQuery.data} on ${ctx.callbackQuery.message?.message_id}`);
    });
    runBot(bot);

    const startId = fake.sendText(token, alice, "/start ref_42");
    expect(startId).toBe(1);
    const reply = await fake.waitForText(token, alice.id, "payload: ref_42");
    expect(reply.params.reply_markup).toEqual({ inline_keyboard: [[{ text: "Yes", callback_data: "answer:yes" }]] });
    // Message ids count per chat, the user's messages and the bot's alike.
    expect(reply.result).toMatchObject({ message_id: 2, chat: { id: alice.id, type: "private", first_name: "Alice" }, from: { is_bot: true } });

    const [sent] = fake.messagesTo(token, alice.id);
    const pressId = fake.pressButton(token, alice, "answer:yes", { message_id: sent!.message_id, chat_id: alice.id });
    expect(pressId).toBe(2);
    await fake.waitForText(token, alice.id, /^pressed answer:yes on 2$/);

    expect(fake.messagesTo(token, alice.id)).toMatchObject([
      { method: "sendMessage", message_id: 2, text: "payload: ref_42", reply_markup: { inline_keyboard: [[{ text: "Yes" }]] } },
      { method: "editMessageText", message_id: 2, text: "pressed answer:yes on 2" },
    ]);
    const answered = fake.calls(token).find((c) => c.method === "answerCallbackQuery");
    expect(answered).toMatchObject({ params: { text: "ok" }, result: true });
    expect(fake.calls(token).filter((c) => c.failed !== undefined)).toEqual([]);
    // The runner confirms what it got with its next poll.
    await fake.waitFor(token, (c) => c.method === "getUpdates" && c.params.offset === 3);
    expect(fake.confirmedOffset(token)).toBe(3);
  });

  it("without a message, a button press comes from the newest bot message carrying that data", async () => {
    const { token, bot } = newBot();
    bot.command("menu", (ctx) => ctx.reply("menu", { reply_markup: new InlineKeyboard().text("Balance", "balance") }));
    bot.callbackQuery("balance", (ctx) => ctx.reply(`from message ${ctx.callbackQuery.message?.message_id}`));
    runBot(bot);
    fake.sendText(token, alice, "/menu");
    await fake.waitForText(token, alice.id, "menu");
    fake.sendText(token, alice, "/menu");
    await fake.waitFor(token, (c) => c.method === "sendMessage" && c.params.text === "menu" && (c.result as { message_id: number }).message_id === 4);
    fake.pressButton(token, alice, "balance");
    await fake.waitForText(token, alice.id, "from message 4");
    expect(() => fake.pressButton(token, alice, "balance", { message_id: 3, chat_id: alice.id })).toThrow(/sent no message 3 to chat 42 \(it sent: 2, 4, 5\)/);
  });

  it("contacts and photos from the user reach message:contact and message:photo", async () => {
    const { token, bot } = newBot();
    bot.on("message:contact", (ctx) => ctx.reply(`phone ${ctx.message.contact.phone_number} of ${ctx.message.contact.user_id}`));
    bot.on("message:photo", (ctx) => ctx.reply(`photo in ${ctx.message.photo.length} sizes`));
    runBot(bot);
    fake.sendContact(token, bob, "+79161112233");
    await fake.waitForText(token, bob.id, `phone +79161112233 of ${bob.id}`);
    fake.sendPhotoMessage(token, bob);
    await fake.waitForText(token, bob.id, "photo in 2 sizes");
  });

  it("a redelivered update reaches the bot a second time, once, without holding back newer ones", async () => {
    const { token, bot } = newBot();
    const seen: number[] = [];
    bot.on("message:text", async (ctx) => {
      seen.push(ctx.update.update_id);
      await ctx.reply(`echo ${ctx.message.text}`);
    });
    runBot(bot);
    const first = fake.sendText(token, alice, "one");
    await fake.waitForText(token, alice.id, "echo one");

    fake.redeliver(token, first);
    const second = fake.sendText(token, alice, "two");
    await vi.waitFor(() => expect([...seen].sort()).toEqual([first, first, second]), { timeout: 5_000 });

    const third = fake.sendText(token, alice, "three");
    await fake.waitForText(token, alice.id, "echo three");
    expect(seen.filter((id) => id === first)).toHaveLength(2);
    expect(seen.at(-1)).toBe(third);
    await vi.waitFor(() => expect(fake.confirmedOffset(token)).toBe(third + 1));
  });

  it("plain bot.start() long polling works too", async () => {
    const { token, bot, id } = newBot();
    bot.on("message:text", (ctx) => ctx.reply(`hello, ${ctx.from.first_name}`));
    const polling = bot.start({ timeout: 1 });
    cleanups.push(async () => {
      await bot.stop();
      await polling;
    });
    fake.sendText(token, alice, "hi");
    await fake.waitForText(token, alice.id, "hello, Alice");
    expect(bot.botInfo).toMatchObject({ id, is_bot: true, username: `fake_${id}_bot`, first_name: "Fake" });
    expect(fake.calls(token).map((c) => c.method)).toEqual(expect.arrayContaining(["getMe", "deleteWebhook", "getUpdates", "sendMessage"]));
  });
});

describe("failure injection", () => {
  it("a 429 with retry_after is retried by auto-retry after that many seconds", async () => {
    const { token, bot } = newBot();
    bot.api.config.use(autoRetry());
    fake.failNext(token, "sendMessage", tooManyRequests(1));
    const message = await bot.api.sendMessage(alice.id, "after the flood");
    expect(message.text).toBe("after the flood");
    const sends = fake.calls(token).filter((c) => c.method === "sendMessage");
    expect(sends.map((c) => c.failed)).toEqual([429, undefined]);
    expect(sends[1]!.at - sends[0]!.at).toBeGreaterThanOrEqual(990);
  });

  it("without auto-retry the 429 surfaces with its retry_after; injected failures are used up", async () => {
    const { token, bot } = newBot();
    fake.failNext(token, "sendMessage", tooManyRequests(7), 2);
    for (let i = 0; i < 2; i++) {
      const error: unknown = await bot.api.sendMessage(alice.id, "x").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GrammyError);
      expect(error).toMatchObject({ error_code: 429, description: "Too Many Requests: retry after 7", parameters: { retry_after: 7 } });
    }
    await expect(bot.api.sendMessage(alice.id, "x")).resolves.toMatchObject({ text: "x" });
  });

  it("403 from a user who blocked the bot is a GrammyError; a blocked chat fails every send until unblocked", async () => {
    const { token, bot } = newBot();
    fake.failNext(token, "sendMessage", blockedByUser);
    await expect(bot.api.sendMessage(alice.id, "hi")).rejects.toBeInstanceOf(GrammyError);

    fake.blockChat(token, alice.id);
    await expect(bot.api.sendMessage(alice.id, "hi")).rejects.toMatchObject({ error_code: 403, description: "Forbidden: bot was blocked by the user" });
    await expect(bot.api.sendChatAction(alice.id, "typing")).rejects.toMatchObject({ error_code: 403 });
    await expect(bot.api.sendPhoto(alice.id, new InputFile(Buffer.from("png"), "qr.png"))).rejects.toMatchObject({ error_code: 403 });
    await expect(bot.api.sendMessage(bob.id, "hi")).resolves.toMatchObject({ chat: { id: bob.id } });
    fake.unblockChat(token, alice.id);
    await expect(bot.api.sendMessage(alice.id, "back")).resolves.toMatchObject({ text: "back" });

    expect(fake.calls(token).map((c) => [c.method, c.failed])).toEqual([
      ["sendMessage", 403],
      ["sendMessage", 403],
      ["sendChatAction", 403],
      ["sendPhoto", 403],
      ["sendMessage", undefined],
      ["sendMessage", undefined],
    ]);
    expect(fake.messagesTo(token, alice.id).map((m) => m.text)).toEqual(["back"]);
  });
});

describe("uploads", () => {
  it("records a sendPhoto with an InputFile from a Buffer by filename and size, with its other fields decoded", async () => {
    const { token, bot } = newBot();
    // CR LF and dashes inside the file must not confuse the multipart parser.
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from("\r\n--\r\n"), randomBytes(5_000)]);
    const message = await bot.api.sendPhoto(alice.id, new InputFile(png, "qr.png"), {
      caption: "Your card",
      reply_markup: new InlineKeyboard().text("Done", "done"),
    });
    const call = fake.calls(token).find((c) => c.method === "sendPhoto");
    expect(call?.params).toEqual({
      chat_id: alice.id,
      photo: { filename: "qr.png", size: png.length },
      caption: "Your card",
      reply_markup: { inline_keyboard: [[{ text: "Done", callback_data: "done" }]] },
    });
    expect(message.photo).toEqual([expect.objectContaining({ width: 512, height: 512, file_size: png.length })]);
    expect(message.caption).toBe("Your card");
    expect(fake.messagesTo(token, alice.id)).toMatchObject([{ method: "sendPhoto", caption: "Your card" }]);

    // Sent again by file_id (a JSON request), the photo keeps its size.
    const again = await bot.api.sendPhoto(bob.id, message.photo[0]!.file_id);
    expect(again.photo[0]?.file_size).toBe(png.length);
  });

  it("records a large sendDocument upload", async () => {
    const { token, bot } = newBot();
    const pdf = randomBytes(300_000);
    const message = await bot.api.sendDocument(alice.id, new InputFile(pdf, "report.pdf"), { caption: "Report" });
    expect(message.document).toMatchObject({ file_name: "report.pdf", file_size: pdf.length });
    expect(fake.calls(token).at(-1)?.params).toMatchObject({ document: { filename: "report.pdf", size: pdf.length }, caption: "Report" });
  });
});

describe("getUpdates", () => {
  it("long-polls until its timeout and answers []; an update pushed meanwhile answers at once", async () => {
    const { token, bot } = newBot();
    const started = Date.now();
    expect(await bot.api.getUpdates({ timeout: 1 })).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);

    const polling = bot.api.getUpdates({ timeout: 20 });
    await fake.waitFor(token, (c) => c.method === "getUpdates" && c.params.timeout === 20);
    const pushedAt = Date.now();
    fake.sendText(token, alice, "hi");
    const [update] = await polling;
    expect(Date.now() - pushedAt).toBeLessThan(1_000);
    expect(update).toMatchObject({
      update_id: 1,
      message: { message_id: 1, text: "hi", chat: { id: alice.id, type: "private" }, from: { id: alice.id, is_bot: false, language_code: "en" } },
    });
  });

  it("offset confirms and drops updates for good; limit caps a batch", async () => {
    const { token, bot } = newBot();
    for (const text of ["a", "b", "c", "d"]) fake.sendText(token, alice, text);
    const ids = async (options: { offset?: number; limit?: number }) => (await bot.api.getUpdates(options)).map((u) => u.update_id);
    expect(await ids({ limit: 2 })).toEqual([1, 2]);
    expect(await ids({ limit: 2 })).toEqual([1, 2]); // not confirmed yet
    expect(await ids({ offset: 3 })).toEqual([3, 4]);
    expect(fake.confirmedOffset(token)).toBe(3);
    expect(await ids({})).toEqual([3, 4]); // 1 and 2 are gone
    expect(await ids({ offset: 5 })).toEqual([]);
    expect(fake.confirmedOffset(token)).toBe(5);
    expect(fake.pushUpdate(token, { update_id: 10, message: { message_id: 99, date: 0, chat: { id: 1, type: "private", first_name: "X" }, from: { id: 1, is_bot: false, first_name: "X" }, text: "x" } })).toBe(10);
    expect(fake.sendText(token, alice, "next")).toBe(11);
  });

  it("a second poll ends the waiting one with 409 Conflict, as when two instances run", async () => {
    const { token, bot } = newBot();
    const first = bot.api.getUpdates({ timeout: 20 }).catch((e: unknown) => e);
    await fake.waitFor(token, (c) => c.method === "getUpdates");
    await expect(bot.api.getUpdates({ timeout: 0 })).resolves.toEqual([]);
    expect(await first).toMatchObject({ error_code: 409 });
  });

  it("stopping the server answers a held poll with [] and closes", async () => {
    const other = await FakeBotApi.start();
    const { token, bot } = newBot(other);
    const polling = bot.api.getUpdates({ timeout: 30 });
    await other.waitFor(token, (c) => c.method === "getUpdates");
    const waiting = other.waitFor(token, () => false, 30_000).catch((e: unknown) => e);
    const stoppedAt = Date.now();
    await other.stop();
    expect(await polling).toEqual([]);
    expect(Date.now() - stoppedAt).toBeLessThan(2_000);
    expect(await waiting).toMatchObject({ message: expect.stringContaining("the fake Bot API was stopped") });
    await expect(fetch(`${other.url}/bot${token}/getMe`)).rejects.toThrow();
  });
});

describe("methods", () => {
  it("keeps commands per scope and language, and rejects an invalid one", async () => {
    const { bot } = newBot();
    await bot.api.setMyCommands([{ command: "balance", description: "Balance" }], { language_code: "en" });
    await bot.api.setMyCommands([{ command: "balance", description: "Баланс" }]);
    expect(await bot.api.getMyCommands({ language_code: "en" })).toEqual([{ command: "balance", description: "Balance" }]);
    expect(await bot.api.getMyCommands()).toEqual([{ command: "balance", description: "Баланс" }]);
    expect(await bot.api.getMyCommands({ language_code: "de" })).toEqual([]);
    await expect(bot.api.setMyCommands([{ command: "Bad-Command", description: "x" }])).rejects.toMatchObject({ error_code: 400 });
    await bot.api.setMyDescription("Cashback", { language_code: "en" });
    expect(await bot.api.getMyDescription({ language_code: "en" })).toEqual({ description: "Cashback" });
  });

  it("edits and deletes like Telegram: not modified, not found, inline keyboard dropped unless repeated", async () => {
    const { token, bot } = newBot();
    const keyboard = new InlineKeyboard().text("A", "a");
    const sent = await bot.api.sendMessage(alice.id, "<b>Hi</b> &amp; bye", { parse_mode: "HTML", reply_markup: keyboard });
    expect(sent.text).toBe("Hi & bye");
    expect(sent.reply_markup).toEqual({ inline_keyboard: [[{ text: "A", callback_data: "a" }]] });

    await expect(bot.api.editMessageText(alice.id, sent.message_id, "Hi & bye", { reply_markup: keyboard })).rejects.toMatchObject({
      error_code: 400,
      description: expect.stringContaining("message is not modified"),
    });
    const edited = await bot.api.editMessageText(alice.id, sent.message_id, "Changed");
    expect(edited).toMatchObject({ text: "Changed", edit_date: expect.any(Number) });
    expect(edited === true ? undefined : edited.reply_markup).toBeUndefined();
    await bot.api.editMessageReplyMarkup(alice.id, sent.message_id, { reply_markup: keyboard });
    await expect(bot.api.editMessageText(alice.id, 999, "x")).rejects.toMatchObject({ description: "Bad Request: message to edit not found" });
    await expect(bot.api.editMessageCaption(alice.id, sent.message_id, { caption: "x" })).rejects.toMatchObject({ error_code: 400 });

    const copy = await bot.api.copyMessage(bob.id, alice.id, sent.message_id);
    expect(fake.messagesTo(token, bob.id)).toEqual([]); // a copy is not a sendMessage
    expect(copy.message_id).toBe(1);
    await expect(bot.api.deleteMessage(alice.id, sent.message_id)).resolves.toBe(true);
    await expect(bot.api.deleteMessage(alice.id, sent.message_id)).rejects.toMatchObject({ description: "Bad Request: message to delete not found" });
    await expect(bot.api.answerCallbackQuery("nope")).rejects.toMatchObject({ error_code: 400 });
    await expect(bot.api.sendMessage(alice.id, "")).rejects.toMatchObject({ description: "Bad Request: message text is empty" });
    await expect(bot.api.sendMessage(alice.id, "x".repeat(4097))).rejects.toMatchObject({ description: "Bad Request: message is too long" });

    expect(fake.messagesTo(token, alice.id).map((m) => [m.method, m.message_id])).toEqual([
      ["sendMessage", 1],
      ["editMessageText", 1],
      ["editMessageReplyMarkup", 1],
    ]);
  });

  it("records and accepts any other method", async () => {
    const { token, bot } = newBot();
    await expect(bot.api.raw.setChatMenuButton({ menu_button: { type: "commands" } })).resolves.toBe(true);
    expect(fake.calls(token)).toMatchObject([{ method: "setChatMenuButton", params: { menu_button: { type: "commands" } }, result: true }]);
  });
});

describe("the HTTP surface never breaks on bad input", () => {
  it("answers unknown tokens, paths and bodies with Telegram-shaped errors", async () => {
    const { token } = newBot();
    expect(await raw("/bot123:nope/getMe")).toEqual({ status: 401, body: { ok: false, error_code: 401, description: "Unauthorized" } });
    expect((await raw("/nothing")).status).toBe(404);
    const json = { method: "POST", headers: { "content-type": "application/json" } };
    const bad = [
      await raw(`/bot${token}/sendMessage`, { ...json, body: "{not json" }),
      await raw(`/bot${token}/sendMessage`, { ...json, body: "[1]" }),
      await raw(`/bot${token}/sendMessage`, { ...json, body: JSON.stringify({ chat_id: "abc", text: "x" }) }),
      await raw(`/bot${token}/sendMessage`, { ...json, body: JSON.stringify({ chat_id: 1, text: "x", reply_markup: { inline_keyboard: "no" } }) }),
      await raw(`/bot${token}/sendMessage`, { method: "POST", headers: { "content-type": "multipart/form-data" }, body: "x" }),
      await raw(`/bot${token}/sendMessage`, { method: "POST", headers: { "content-type": "multipart/form-data; boundary=zz" }, body: "--zz\r\nbroken" }),
      await raw(`/bot${token}/sendMessage`, { method: "POST", headers: { "content-type": "text/plain" }, body: "hello" }),
      await raw(`/bot${token}/sendMessage`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "chat_id=1&text=x&reply_markup=%7B" }),
    ];
    for (const { status, body } of bad) {
      expect(status).toBe(400);
      expect(body).toMatchObject({ ok: false, error_code: 400, description: expect.stringMatching(/^Bad Request: .+/) });
    }
    expect(fake.calls(token).every((c) => c.failed === 400)).toBe(true);
    expect((await raw(`/bot${token}/getMe`)).body).toMatchObject({ ok: true, result: { is_bot: true } });
  });

  it("decodes urlencoded bodies and query strings as Telegram does", async () => {
    const { token } = newBot();
    const markup = JSON.stringify({ inline_keyboard: [[{ text: "A", callback_data: "a" }]] });
    const form = new URLSearchParams({ chat_id: String(alice.id), text: "123", reply_markup: markup, disable_notification: "true" });
    const { body } = await raw(`/bot${token}/sendMessage`, { method: "POST", body: form });
    expect(body).toMatchObject({ ok: true, result: { text: "123", reply_markup: { inline_keyboard: [[{ text: "A" }]] } } });
    expect(fake.calls(token)[0]?.params).toEqual({ chat_id: alice.id, text: "123", reply_markup: JSON.parse(markup), disable_notification: true });
    expect((await raw(`/bot${token}/getUpdates?offset=0&timeout=0`)).body).toEqual({ ok: true, result: [] });
  });

  it("waitFor finds past calls, waits for future ones, and times out listing the last calls", async () => {
    const { token, bot } = newBot();
    await bot.api.sendMessage(alice.id, "earlier");
    await expect(fake.waitForText(token, alice.id, "earlier", 100)).resolves.toMatchObject({ method: "sendMessage" });
    const later = fake.waitForText(token, bob.id, /lat+er/);
    await bot.api.sendMessage(bob.id, "later");
    await expect(later).resolves.toMatchObject({ params: { chat_id: bob.id, text: "later" } });
    await expect(fake.waitForText(token, alice.id, "never", 200)).rejects.toThrow(/no matching call to @fake_\d+_bot within 200 ms[\s\S]*sendMessage \{"chat_id":42,"text":"earlier"\}/);
  });
});

describe("webhook", () => {
  /** A webhook endpoint: records each POST (body and secret header) and answers with `status()`. */
  async function endpoint(status: (n: number) => number = () => 200) {
    const { createServer } = await import("node:http");
    const posts: { update: { update_id: number; message?: { text?: string } }; secret: string | undefined; at: number }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        posts.push({ update: JSON.parse(Buffer.concat(chunks).toString()), secret: req.headers["x-telegram-bot-api-secret-token"] as string | undefined, at: Date.now() });
        res.writeHead(status(posts.length)).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/telegram/test`, posts };
  }

  it("posts updates in order with the secret header, refuses getUpdates with 409 meanwhile, and deleteWebhook returns to polling", async () => {
    const { token, bot } = newBot();
    const hook = await endpoint();
    fake.sendText(token, alice, "before");
    await bot.api.setWebhook(hook.url, { secret_token: "s3cret_-X", allowed_updates: ["message", "callback_query"], drop_pending_updates: false, max_connections: 5 });
    expect(fake.calls(token).find((c) => c.method === "setWebhook")?.params).toEqual({
      url: hook.url,
      secret_token: "s3cret_-X",
      allowed_updates: ["message", "callback_query"],
      drop_pending_updates: false,
      max_connections: 5,
    });
    fake.sendText(token, alice, "one");
    fake.sendText(token, bob, "two");
    await vi.waitFor(() => expect(hook.posts).toHaveLength(3));
    expect(hook.posts.map((p) => [p.update.update_id, p.update.message?.text, p.secret])).toEqual([
      [1, "before", "s3cret_-X"],
      [2, "one", "s3cret_-X"],
      [3, "two", "s3cret_-X"],
    ]);
    expect(await bot.api.getWebhookInfo()).toMatchObject({ url: hook.url, pending_update_count: 0, allowed_updates: ["message", "callback_query"], max_connections: 5 });

    const polled = await raw(`/bot${token}/getUpdates`);
    expect(polled).toEqual({
      status: 409,
      body: { ok: false, error_code: 409, description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" },
    });

    await bot.api.deleteWebhook({ drop_pending_updates: false });
    fake.sendText(token, alice, "polled again");
    const after = await raw(`/bot${token}/getUpdates`);
    // The posted updates were confirmed by their 2xx: only the new one is left.
    expect((after.body.result as { update_id: number }[]).map((u) => u.update_id)).toEqual([4]);
    expect(hook.posts).toHaveLength(3);
    expect((await bot.api.getWebhookInfo()).url).toBe("");
  });

  it("a webhook that fails is retried after a pause, reports its last error, and the next update waits its turn", async () => {
    const { token, bot } = newBot();
    const hook = await endpoint((n) => (n <= 2 ? 500 : 200));
    await bot.api.setWebhook(hook.url);
    fake.sendText(token, alice, "first");
    fake.sendText(token, alice, "second");
    await vi.waitFor(() => expect(hook.posts).toHaveLength(4), { timeout: 5_000 });
    expect(hook.posts.map((p) => p.update.update_id)).toEqual([1, 1, 1, 2]);
    expect(hook.posts[1]!.at - hook.posts[0]!.at).toBeGreaterThanOrEqual(400);
    expect(hook.posts[0]!.secret).toBeUndefined();
    expect(fake.webhookDeliveries(token).map((d) => d.status)).toEqual([500, 500, 200, 200]);
    const info = await bot.api.getWebhookInfo();
    expect(info).toMatchObject({ pending_update_count: 0, last_error_message: expect.stringMatching(/500/) });
  });

  it("an unreachable webhook is retried until it answers; updates outside allowed_updates are dropped unsent", async () => {
    const { token, bot } = newBot();
    const hook = await endpoint();
    const deadUrl = `http://127.0.0.1:1/telegram`;
    await bot.api.setWebhook(deadUrl, { allowed_updates: ["message"] });
    fake.sendText(token, alice, "queued");
    await vi.waitFor(() => expect(fake.webhookDeliveries(token).length).toBeGreaterThanOrEqual(2), { timeout: 5_000 });
    expect(fake.webhookDeliveries(token)[0]).toMatchObject({ updateId: 1, error: expect.any(String) });
    expect((await bot.api.getWebhookInfo()).pending_update_count).toBe(1);
    // Moving the webhook sends what is pending to the new address.
    await bot.api.setWebhook(hook.url, { allowed_updates: ["message"] });
    fake.pressButton(token, alice, "ignored");
    fake.sendText(token, alice, "after");
    await vi.waitFor(() => expect(hook.posts.map((p) => p.update.update_id)).toEqual([1, 3]), { timeout: 5_000 });
    expect((await bot.api.getWebhookInfo()).pending_update_count).toBe(0);
  });
});
