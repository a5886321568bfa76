import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api, InlineKeyboard, InputFile, Keyboard } from "grammy";
import { afterEach, describe, expect, it } from "vitest";
import { LocalBotApi, type BotApiEvent } from "../../sandbox/telegram/bot-api.js";

// The sandbox's local Bot API, driven by grammY's Api exactly as the product's bots drive it, plus what only the sandbox
// needs: files' bytes, change events for the web chat, readers of a chat, and a journal that outlives a restart.

const token = "7100000001:local-bot-api-test-token-not-a-secret";
const botInfo = { id: 7_100_000_001, username: "local_test_bot", first_name: "Local" };
const alice = { id: 42, first_name: "Alice", last_name: "Liddell", language_code: "en" };
const bob = { id: 43, first_name: "Bob", language_code: "ru" };
/** A real PNG signature, CR LF and dashes inside (the multipart parser must keep them), then noise. */
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from("\r\n--\r\n"), Buffer.from("IHDR-bytes-of-a-qr-code")]);

const running: LocalBotApi[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const api of running.splice(0)) await api.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(journalPath?: string) {
  const api = await LocalBotApi.start(journalPath === undefined ? {} : { journalPath });
  running.push(api);
  api.addBot(token, botInfo);
  return { api, bot: new Api(token, { apiRoot: api.url }) };
}

function tempJournal() {
  const dir = mkdtempSync(join(tmpdir(), "local-bot-api-"));
  dirs.push(dir);
  return join(dir, "telegram", "journal.jsonl");
}

function collect(api: LocalBotApi) {
  const events: BotApiEvent[] = [];
  const unsubscribe = api.onChange((event) => events.push(event));
  return { events, unsubscribe };
}

describe("files", () => {
  it("keeps the bytes a bot uploads and serves them as Telegram does after getFile", async () => {
    const { api, bot } = await start();
    const photo = await bot.sendPhoto(alice.id, new InputFile(png, "qr.png"), { caption: "Your card" });
    const fileId = photo.photo.at(-1)!.file_id;
    expect(api.fileBytes(fileId)).toEqual(png);

    const file = await bot.getFile(fileId);
    expect(file.file_size).toBe(png.length);
    const response = await fetch(`${api.url}/file/bot${token}/${file.file_path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await response.arrayBuffer())).toEqual(png);
    // Another bot's token does not reach this bot's files.
    expect((await fetch(`${api.url}/file/bot1:other/${file.file_path}`)).status).toBe(404);

    const pdf = Buffer.from("%PDF-1.4 not really");
    const document = await bot.sendDocument(bob.id, new InputFile(pdf, "report.pdf"));
    expect(document.document).toMatchObject({ file_name: "report.pdf", file_size: pdf.length });
    expect(api.fileBytes(document.document.file_id)).toEqual(pdf);

    // Sent again by file id, the new message's file has the same bytes.
    const again = await bot.sendPhoto(bob.id, fileId);
    expect(again.photo[0]!.file_id).not.toBe(fileId);
    expect(api.fileBytes(again.photo[0]!.file_id)).toEqual(png);
    expect(api.fileBytes("no-such-file")).toBeUndefined();
  });
});

describe("change events and readers", () => {
  it("tells a listener about every message, edit, deletion, button answer and reply keyboard, until it unsubscribes", async () => {
    const { api, bot } = await start();
    const { events, unsubscribe } = collect(api);

    api.sendText(token, alice, "/start ref_1");
    const [update] = await bot.getUpdates();
    expect(update?.message).toMatchObject({ text: "/start ref_1", entities: [{ type: "bot_command", offset: 0, length: 6 }] });
    const menu = await bot.sendMessage(alice.id, "<b>Hello</b> &amp; welcome", { parse_mode: "HTML", reply_markup: new InlineKeyboard().text("Go", "go") });
    api.pressButton(token, alice, "go", { chat_id: alice.id, message_id: menu.message_id });
    const press = (await bot.getUpdates({ offset: update!.update_id + 1 }))[0]!;
    await bot.answerCallbackQuery(press.callback_query!.id, { text: "Done", show_alert: true });
    await bot.editMessageText(alice.id, menu.message_id, "Edited");
    const phone = await bot.sendMessage(alice.id, "Your phone?", { reply_markup: new Keyboard().requestContact("Share").oneTime() });
    api.sendContact(token, alice, "+79990000042");
    const bye = await bot.sendMessage(alice.id, "Bye", { reply_markup: { remove_keyboard: true } });
    await bot.deleteMessage(alice.id, phone.message_id);

    const summary = events.map((e) =>
      e.type === "message" ? [e.type, e.message.message_id, e.fromBot, e.edited] : e.type === "keyboard" ? [e.type, e.markup === null ? null : "set"] : [e.type],
    );
    expect(summary).toEqual([
      ["message", 1, false, false],
      ["message", 2, true, false],
      ["callback-answer"],
      ["message", 2, true, true],
      ["message", 3, true, false],
      ["keyboard", "set"],
      ["message", 4, false, false],
      ["keyboard", null], // the one-time keyboard hides once the user has answered
      ["message", 5, true, false], // remove_keyboard when none is shown changes nothing
      ["deleted"],
    ]);
    expect(events[1]).toMatchObject({ chatId: alice.id, html: "<b>Hello</b> &amp; welcome", message: { text: "Hello & welcome" } });
    expect(events[2]).toEqual({ type: "callback-answer", token, chatId: alice.id, text: "Done", showAlert: true });
    expect(events[3]).toMatchObject({ message: { text: "Edited", edit_date: expect.any(Number) } });
    expect(events[3]).not.toHaveProperty("html");
    expect(events[5]).toMatchObject({ markup: { keyboard: [[{ text: "Share", request_contact: true }]], one_time_keyboard: true } });
    expect(events[6]).toMatchObject({ message: { contact: { phone_number: "+79990000042", user_id: alice.id } } });
    expect(events[9]).toEqual({ type: "deleted", token, chatId: alice.id, messageId: phone.message_id });

    unsubscribe();
    await bot.sendMessage(alice.id, "unheard");
    expect(events).toHaveLength(10);

    // The chat as its client shows it: every message left, oldest first, the edited one in its latest form.
    expect(api.chatMessages(token, alice.id).map((m) => [m.message_id, m.text ?? m.contact?.phone_number])).toEqual([
      [1, "/start ref_1"],
      [2, "Edited"],
      [4, "+79990000042"],
      [5, "Bye"],
      [6, "unheard"],
    ]);
    expect(api.messageHtml(token, alice.id, 2)).toBeUndefined();
    expect(api.replyKeyboard(token, alice.id)).toBeNull();
    expect(bye.message_id).toBe(5);
    expect(api.chats(token)).toEqual([{ chatId: alice.id, user: alice, messageCount: 5, lastDate: expect.any(Number) }]);
  });

  it("a reply keyboard stays until another replaces or removes it", async () => {
    const { api, bot } = await start();
    await bot.sendMessage(bob.id, "Pick", { reply_markup: new Keyboard().text("A").text("B").placeholder("Choose") });
    api.sendText(token, bob, "A");
    expect(api.replyKeyboard(token, bob.id)).toMatchObject({ keyboard: [[{ text: "A" }, { text: "B" }]], input_field_placeholder: "Choose" });
    await bot.sendMessage(bob.id, "Done", { reply_markup: { remove_keyboard: true } });
    expect(api.replyKeyboard(token, bob.id)).toBeNull();
    await expect(bot.sendMessage(bob.id, "x", { reply_markup: { keyboard: "nope" } as never })).rejects.toMatchObject({ error_code: 400 });
    expect(api.chatMessages(token, bob.id).map((m) => m.text)).toEqual(["Pick", "A", "Done"]);
  });

  it("the command menu of a chat: scope chat before default, the user's language before none", async () => {
    const { api, bot } = await start();
    await bot.setMyCommands([{ command: "start", description: "Начать" }]);
    await bot.setMyCommands([{ command: "start", description: "Start" }], { language_code: "en" });
    await bot.setMyCommands([{ command: "admin", description: "Admin desk" }], { scope: { type: "chat", chat_id: alice.id }, language_code: "en" });
    api.sendText(token, alice, "hi");
    api.sendText(token, bob, "привет");
    expect(api.commandsFor(token, alice.id)).toEqual([{ command: "admin", description: "Admin desk" }]);
    expect(api.commandsFor(token, bob.id)).toEqual([{ command: "start", description: "Начать" }]);
    expect(api.commandsFor(token, 999)).toEqual([{ command: "start", description: "Начать" }]);
    api.sendText(token, { id: 44, first_name: "Eve", language_code: "en" }, "hi");
    expect(api.commandsFor(token, 44)).toEqual([{ command: "start", description: "Start" }]);
    await bot.deleteMyCommands({ scope: { type: "chat", chat_id: alice.id }, language_code: "en" });
    expect(api.commandsFor(token, alice.id)).toEqual([{ command: "start", description: "Start" }]);
  });
});

describe("the journal", () => {
  it("a restarted Bot API shows the same chats and delivers again an update the bot got but did not confirm", async () => {
    const journal = tempJournal();
    const first = await start(journal);
    first.api.sendText(token, alice, "/start");
    const [confirmed] = await first.bot.getUpdates();
    await first.bot.sendPhoto(alice.id, new InputFile(png, "qr.png"), { caption: "<i>Card</i>", parse_mode: "HTML" });
    const progress = await first.bot.sendMessage(alice.id, "Sent 0 of 10");
    await first.bot.editMessageText(alice.id, progress.message_id, "Sent 10 of 10");
    const gone = await first.bot.sendMessage(alice.id, "Temporary", { reply_markup: new Keyboard().requestContact("Share") });
    await first.bot.deleteMessage(alice.id, gone.message_id);
    await first.bot.setMyCommands([{ command: "balance", description: "Balance" }]);
    // The bot confirms the /start, then gets the next update but is killed before confirming it.
    first.api.sendText(token, alice, "pending");
    const got = await first.bot.getUpdates({ offset: confirmed!.update_id + 1 });
    expect(got.map((u) => u.message?.text)).toEqual(["pending"]);
    const before = first.api.chatMessages(token, alice.id);
    await first.api.stop();

    const second = await start(journal);
    expect(second.api.chatMessages(token, alice.id)).toEqual(before);
    expect(before.map((m) => m.text ?? m.caption)).toEqual(["/start", "Card", "Sent 10 of 10", "pending"]);
    expect(second.api.messageHtml(token, alice.id, 2)).toBe("<i>Card</i>");
    expect(second.api.fileBytes(before[1]!.photo![0]!.file_id)).toEqual(png);
    expect(second.api.replyKeyboard(token, alice.id)).toMatchObject({ keyboard: [[{ text: "Share", request_contact: true }]] });
    expect(second.api.commandsFor(token, alice.id)).toEqual([{ command: "balance", description: "Balance" }]);
    expect(second.api.confirmedOffset(token)).toBe(confirmed!.update_id + 1);
    const redelivered = await second.bot.getUpdates();
    expect(redelivered.map((u) => [u.update_id, u.message?.text])).toEqual([[got[0]!.update_id, "pending"]]);

    // Confirmed now, it is not delivered after another restart; numbering of updates and messages carries on.
    await second.bot.getUpdates({ offset: got[0]!.update_id + 1 });
    await second.api.stop();
    const third = await start(journal);
    expect(await third.bot.getUpdates()).toEqual([]);
    const nextUpdate = third.api.sendText(token, alice, "after two restarts");
    expect(nextUpdate).toBe(got[0]!.update_id + 1);
    expect(third.api.chatMessages(token, alice.id).at(-1)).toMatchObject({ message_id: gone.message_id + 2, text: "after two restarts" });
    // A new upload after the restart does not overwrite the first one's stored bytes.
    const other = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    const jpeg = await third.bot.sendPhoto(alice.id, new InputFile(other, "photo.jpg"));
    expect(third.api.fileBytes(jpeg.photo[0]!.file_id)).toEqual(other);
    expect(third.api.fileBytes(before[1]!.photo![0]!.file_id)).toEqual(png);
  });

  it("drop_pending_updates drops what is pending, for good", async () => {
    const journal = tempJournal();
    const first = await start(journal);
    first.api.sendText(token, bob, "old");
    expect(await first.bot.getUpdates()).toHaveLength(1);
    await first.bot.deleteWebhook({ drop_pending_updates: true });
    expect(await first.bot.getUpdates()).toEqual([]);
    await first.api.stop();
    const second = await start(journal);
    expect(await second.bot.getUpdates()).toEqual([]);
    expect(second.api.chatMessages(token, bob.id).map((m) => m.text)).toEqual(["old"]);
  });

  it("a last line torn by a crash is dropped, and the journal stays usable after it", async () => {
    const journal = tempJournal();
    const first = await start(journal);
    first.api.sendText(token, bob, "kept");
    await first.api.stop();
    appendFileSync(journal, '{"k":"message","token":"7100000001:local-bot-api-test-token-not-a-');

    const second = await start(journal);
    expect(second.api.chatMessages(token, bob.id).map((m) => m.text)).toEqual(["kept"]);
    second.api.sendText(token, bob, "after the crash");
    await second.api.stop();
    expect(readFileSync(journal, "utf8").endsWith("\n")).toBe(true);

    const third = await start(journal);
    expect(third.api.chatMessages(token, bob.id).map((m) => m.text)).toEqual(["kept", "after the crash"]);
    expect((await third.bot.getUpdates()).map((u) => u.message?.text)).toEqual(["kept", "after the crash"]);
  });

  it("skips a line damaged in the middle of the journal (a write that failed half-way), counts it, and replays the rest", async () => {
    const journal = tempJournal();
    const first = await start(journal);
    first.api.sendText(token, bob, "one");
    await first.api.stop();
    const lines = readFileSync(journal, "utf8").split("\n");
    lines.splice(1, 0, "{garbage");
    writeFileSync(journal, lines.join("\n"));
    const second = await LocalBotApi.start({ journalPath: journal });
    expect(second.skippedJournalLines).toBe(1);
    expect(second.chatMessages(token, bob.id).map((m) => m.text)).toEqual(["one"]);
    await second.stop();
  });
});
