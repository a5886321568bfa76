import { request as httpRequest } from "node:http";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api, InlineKeyboard, InputFile, Keyboard } from "grammy";
import type { Update } from "grammy/types";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Persona } from "../../sandbox/personas.js";
import { sandboxBots } from "../../sandbox/settings.js";
import { LocalBotApi } from "../../sandbox/telegram/bot-api.js";
import type { ChatEvent } from "../../sandbox/web-chat/protocol.js";
import { startWebChatServer } from "../../sandbox/web-chat/server.js";
import { checkInitData } from "../../web/server/init-data.js";

// The web chat's HTTP API, driven with fetch as the page drives it, over a real local Bot API that the bots' side
// (grammY's Api) reads and writes. Only the database's list of personas is a stand-in: a callback returning a fixed list.

const client: Persona = { telegramId: 300_000_001, firstName: "Ivan", lastName: "Petrov", languageCode: "ru", role: "client", bot: "client", phone: "+79161234567", detail: "Gold · 2 340 pts" };
const admin: Persona = { telegramId: 100_000_001, firstName: "Anna", lastName: "Admin", languageCode: "en", role: "admin", bot: "admin" };
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from("a QR code, more or less")]);
const secret = "secret outside the page's folder";

let botApi: LocalBotApi;
let root: string;
let staticDir: string;
let dataDir: string;
let web: { url: string; close: () => Promise<void> };
/** What the (stand-in) database lists; a test may add to it. */
let listed: Persona[];
const bots = {
  client: new Api(sandboxBots.client.token),
  partner: new Api(sandboxBots.partner.token),
  admin: new Api(sandboxBots.admin.token),
};
const streams: AbortController[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "web-chat-server-"));
  staticDir = join(root, "dist");
  mkdirSync(join(staticDir, "assets"), { recursive: true });
  writeFileSync(join(staticDir, "index.html"), "<!doctype html><title>Web chat</title>");
  writeFileSync(join(staticDir, "assets", "app.js"), "console.log('web chat')");
  writeFileSync(join(root, "secret.txt"), secret);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeEach(async () => {
  botApi = await LocalBotApi.start();
  for (const bot of Object.values(sandboxBots)) botApi.addBot(bot.token, { id: bot.id, username: bot.username, first_name: bot.firstName });
  for (const name of ["client", "partner", "admin"] as const) bots[name] = new Api(sandboxBots[name].token, { apiRoot: botApi.url });
  dataDir = mkdtempSync(join(root, "data-"));
  listed = [admin, client];
  web = await start();
});
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.abort();
  await web.close();
  await botApi.stop();
});

function start(webApp?: Parameters<typeof startWebChatServer>[0]["webApp"]) {
  return startWebChatServer({
    ...(webApp && { webApp }),
    host: "127.0.0.1",
    port: 0,
    botApi,
    bots: sandboxBots,
    staticDir,
    listPersonas: async () => listed,
    dataDir,
    logger: pino({ level: "silent" }),
  });
}

async function call(path: string, body?: unknown) {
  const init = body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) };
  const res = await fetch(`${web.url}${path}`, init);
  return { status: res.status, body: (await res.json()) as any };
}

async function postAsAnotherSite(path: string, body: string) {
  const res = await fetch(`${web.url}${path}`, { method: "POST", headers: { "content-type": "text/plain" }, body });
  return { status: res.status, body: (await res.json()) as any };
}

/** fetch cannot set Host; node:http can. */
function requestWithHost(host: string, path: string, body?: string): Promise<{ status: number; body: any }> {
  const { port } = new URL(web.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, method: body === undefined ? "GET" : "POST", headers: { host, "content-type": "application/json" } }, (res) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const send = (bot: string, telegramId: number, body: unknown) => call(`/api/chats/${bot}/${telegramId}/send`, body);

/** Confirms everything fetched so far, so the next call returns only what came after. */
async function nextUpdates(bot: Api): Promise<Update[]> {
  const updates = await bot.getUpdates({ timeout: 0 });
  const last = updates.at(-1);
  if (last) await bot.getUpdates({ offset: last.update_id + 1, timeout: 0 });
  return updates;
}

/** The page's /api/events stream, read with fetch: every event received, in order. */
async function openEvents() {
  const controller = new AbortController();
  streams.push(controller);
  const res = await fetch(`${web.url}/api/events`, { signal: controller.signal });
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const events: ChatEvent[] = [];
  const state = { ended: false };
  const reader = res.body!.getReader();
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          for (const line of block.split("\n")) if (line.startsWith("data: ")) events.push(JSON.parse(line.slice(6)) as ChatEvent);
        }
      }
    } catch {
      // aborted by the test
    }
    state.ended = true;
  })();
  const waitFor = <T extends ChatEvent>(predicate: (event: ChatEvent) => event is T) =>
    vi.waitFor(
      () => {
        const found = events.find(predicate);
        if (!found) throw new Error(`no such event yet; got ${JSON.stringify(events)}`);
        return found;
      },
      { timeout: 5_000 },
    );
  return { events, state, waitFor };
}

describe("state and personas", () => {
  it("lists the bots and the personas; a created persona gets a fresh id and phone, and outlives a restart", async () => {
    const state = await call("/api/state");
    expect(state.status).toBe(200);
    expect(state.body.bots).toEqual({
      client: { username: sandboxBots.client.username, firstName: sandboxBots.client.firstName },
      partner: { username: sandboxBots.partner.username, firstName: sandboxBots.partner.firstName },
      admin: { username: sandboxBots.admin.username, firstName: sandboxBots.admin.firstName },
    });
    expect(state.body.personas).toEqual([admin, client]);
    expect(state.body.dataDir).toBe(dataDir);

    const created = await call("/api/personas", { role: "client", languageCode: "en" });
    expect(created).toEqual({
      status: 200,
      body: { telegramId: 900_000_001, firstName: "Client 1", languageCode: "en", role: "client", bot: "client", phone: "+79990000001" },
    });
    const applicant = await call("/api/personas", { role: "applicant", firstName: "Olga" });
    expect(applicant.body).toMatchObject({ telegramId: 900_000_002, firstName: "Olga", languageCode: "ru", role: "applicant", bot: "partner" });
    expect(JSON.parse(readFileSync(join(dataDir, "personas.json"), "utf8"))).toEqual([created.body, applicant.body]);

    // Once the database knows a created person (they pressed /start), its entry is the one listed, once.
    const joined = { ...created.body, detail: "Bronze · 0 pts" } as Persona;
    listed = [admin, client, joined];
    await web.close();
    web = await start();
    expect((await call("/api/state")).body.personas).toEqual([admin, client, joined, applicant.body]);
    expect((await call("/api/personas", { role: "client" })).body.telegramId).toBe(900_000_003);
  });

  it("refuses a bad persona request without creating anyone", async () => {
    for (const body of [{ role: "admin" }, { role: "client", languageCode: "de" }, { role: "client", extra: 1 }, { role: "client", firstName: "  " }, "nope"]) {
      const res = await call("/api/personas", body);
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual(expect.any(String));
    }
    expect((await call("/api/state")).body.personas).toHaveLength(2);
  });
});

describe("a chat", () => {
  it("text, an inline keyboard, a press, an edit and a photo go both ways, and the event stream shows each", async () => {
    const events = await openEvents();

    expect(await send("client", client.telegramId, { text: "/start r_abc" })).toEqual({ status: 200, body: { ok: true } });
    const [start] = await nextUpdates(bots.client);
    expect(start?.message).toMatchObject({
      text: "/start r_abc",
      entities: [{ type: "bot_command", offset: 0, length: 6 }],
      from: { id: client.telegramId, first_name: "Ivan", last_name: "Petrov", language_code: "ru", is_bot: false },
      chat: { id: client.telegramId, type: "private" },
    });
    await events.waitFor((e): e is ChatEvent => e.type === "message" && e.message.from === "user" && e.message.text === "/start r_abc");

    const menu = await bots.client.sendMessage(client.telegramId, "<b>Welcome</b>, Ivan", {
      parse_mode: "HTML",
      reply_markup: new InlineKeyboard().text("Balance", "balance").url("Site", "https://example.com"),
    });
    const expectedMenu = {
      messageId: menu.message_id,
      from: "bot",
      date: menu.date,
      edited: false,
      text: "Welcome, Ivan",
      html: "<b>Welcome</b>, Ivan",
      inlineKeyboard: [[{ text: "Balance", callbackData: "balance" }, { text: "Site", url: "https://example.com" }]],
    };
    const shown = await events.waitFor((e): e is ChatEvent => e.type === "message" && e.message.from === "bot");
    expect(shown).toEqual({ type: "message", bot: "client", chatId: client.telegramId, message: expectedMenu });
    const chat = await call(`/api/chats/client/${client.telegramId}`);
    expect(chat.body.messages).toEqual([
      { messageId: 1, from: "user", date: expect.any(Number), edited: false, text: "/start r_abc", entities: [{ type: "bot_command", offset: 0, length: 6 }] },
      expectedMenu,
    ]);
    expect(chat.body.replyKeyboard).toBeNull();
    // Other bots' chats with the same person are separate.
    expect((await call(`/api/chats/partner/${client.telegramId}`)).body.messages).toEqual([]);

    expect((await send("client", client.telegramId, { callbackData: "balance", messageId: menu.message_id })).status).toBe(200);
    const [press] = await nextUpdates(bots.client);
    expect(press?.callback_query).toMatchObject({ data: "balance", from: { id: client.telegramId }, message: { message_id: menu.message_id } });
    await bots.client.answerCallbackQuery(press!.callback_query!.id, { text: "2 340 points" });
    await bots.client.editMessageText(client.telegramId, menu.message_id, "Your balance: 2 340 points");
    expect(await events.waitFor((e): e is ChatEvent => e.type === "callback-answer")).toEqual({
      type: "callback-answer",
      bot: "client",
      chatId: client.telegramId,
      text: "2 340 points",
    });
    const edited = await events.waitFor((e): e is Extract<ChatEvent, { type: "message" }> => e.type === "message" && e.message.edited);
    expect(edited.message).toEqual({ messageId: menu.message_id, from: "bot", date: menu.date, edited: true, text: "Your balance: 2 340 points" });

    const photo = await bots.client.sendPhoto(client.telegramId, new InputFile(png, "qr.png"), { caption: "Your card" });
    const photoView = (await call(`/api/chats/client/${client.telegramId}`)).body.messages.at(-1);
    expect(photoView).toMatchObject({ messageId: photo.message_id, from: "bot", caption: "Your card", photoFileId: photo.photo.at(-1)!.file_id });
    const file = await fetch(`${web.url}/api/files/${encodeURIComponent(photoView.photoFileId)}`);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await file.arrayBuffer())).toEqual(png);
    expect((await call("/api/files/no-such-file")).status).toBe(404);

    await bots.client.deleteMessage(client.telegramId, photo.message_id);
    expect(await events.waitFor((e): e is ChatEvent => e.type === "deleted")).toEqual({ type: "deleted", bot: "client", chatId: client.telegramId, messageId: photo.message_id });
  });

  it("a reply keyboard asking for the phone: shown, then the persona shares their phone and the one-time keyboard goes", async () => {
    const events = await openEvents();
    await bots.client.sendMessage(client.telegramId, "Share your phone?", {
      reply_markup: new Keyboard().requestContact("Share my phone").row().text("Skip").resized().oneTime().placeholder("Phone"),
    });
    const replyKeyboard = { rows: [[{ text: "Share my phone", requestContact: true }], [{ text: "Skip" }]], oneTime: true, placeholder: "Phone" };
    expect(await events.waitFor((e): e is ChatEvent => e.type === "keyboard")).toEqual({ type: "keyboard", bot: "client", chatId: client.telegramId, replyKeyboard });
    expect((await call(`/api/chats/client/${client.telegramId}`)).body.replyKeyboard).toEqual(replyKeyboard);

    expect((await send("client", client.telegramId, { contact: true })).status).toBe(200);
    const [shared] = await nextUpdates(bots.client);
    expect(shared?.message?.contact).toEqual({ phone_number: client.phone, first_name: "Ivan", last_name: "Petrov", user_id: client.telegramId });
    expect((await call(`/api/chats/client/${client.telegramId}`)).body).toMatchObject({
      replyKeyboard: null,
      messages: [{ from: "bot" }, { from: "user", contactPhone: client.phone }],
    });
    await events.waitFor((e): e is ChatEvent => e.type === "keyboard" && e.replyKeyboard === null);
  });

  it("the chat shows the command menu the bot set for this person's language, before and after they write", async () => {
    await bots.admin.setMyCommands([{ command: "desk", description: "Рабочий стол" }]);
    await bots.admin.setMyCommands([{ command: "desk", description: "Desk" }], { language_code: "en" });
    expect((await call(`/api/chats/admin/${admin.telegramId}`)).body.commands).toEqual([{ command: "desk", description: "Desk" }]);
    await send("admin", admin.telegramId, { text: "hi" });
    expect((await call(`/api/chats/admin/${admin.telegramId}`)).body.commands).toEqual([{ command: "desk", description: "Desk" }]);
  });

  it("refuses bad input with 400 (404 for an unknown person) and pushes nothing to the bot", async () => {
    const menu = await bots.client.sendMessage(client.telegramId, "menu", { reply_markup: new InlineKeyboard().text("A", "a") });
    const refused = [
      [await send("client", client.telegramId, { text: "" }), 400],
      [await send("client", client.telegramId, { text: "   " }), 400],
      [await send("client", client.telegramId, { text: 5 }), 400],
      [await send("client", client.telegramId, { text: "x".repeat(4097) }), 400],
      [await send("client", client.telegramId, { contact: false }), 400],
      [await send("client", client.telegramId, { text: "hi", contact: true }), 400],
      [await send("client", client.telegramId, { callbackData: "a", messageId: 999 }), 400],
      [await send("client", client.telegramId, { callbackData: "nope", messageId: menu.message_id }), 400],
      [await send("client", client.telegramId, "{not json"), 400],
      [await send("client", client.telegramId, {}), 400],
      [await send("robot", client.telegramId, { text: "hi" }), 400],
      [await send("client", "12abc" as never, { text: "hi" }), 400],
      [await send("client", 555, { text: "hi" }), 404],
      [await call("/api/nothing"), 404],
      // What a page on another site can make a browser send without asking: a text/plain body, or (after pointing a
      // name of its own at 127.0.0.1) a request carrying that name as Host.
      [await postAsAnotherSite(`/api/chats/client/${client.telegramId}/send`, JSON.stringify({ text: "hi" })), 415],
      [await requestWithHost("rebound.example:80", `/api/chats/client/${client.telegramId}/send`, JSON.stringify({ text: "hi" })), 403],
      [await requestWithHost("rebound.example:80", "/api/state"), 403],
    ] as const;
    for (const [res, status] of refused) {
      expect(res.status).toBe(status);
      expect(res.body).toEqual({ error: expect.any(String) });
    }
    expect(await bots.client.getUpdates({ timeout: 0 })).toEqual([]);
    expect(botApi.chatMessages(sandboxBots.client.token, client.telegramId)).toHaveLength(1);
    // Still serving after all that.
    expect((await send("client", client.telegramId, { text: "fine" })).status).toBe(200);
  });

  it("closing the server ends the open event streams", async () => {
    const events = await openEvents();
    await web.close();
    await vi.waitFor(() => expect(events.state.ended).toBe(true), { timeout: 2_000 });
    web = await start(); // for afterEach
  });
});

describe("the page's files", () => {
  function rawGet(path: string): Promise<{ status: number; body: string; type: string | undefined }> {
    const { hostname, port } = new URL(web.url);
    return new Promise((resolve, reject) => {
      // node:http sends the path as written (fetch would normalise the dots away first).
      const req = request({ hostname, port, path, method: "GET" }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, type: res.headers["content-type"] }));
      });
      req.on("error", reject);
      req.end();
    });
  }

  it("serves index.html for / and assets with their content types, and nothing outside the folder", async () => {
    expect(await rawGet("/")).toEqual({ status: 200, body: "<!doctype html><title>Web chat</title>", type: "text/html; charset=utf-8" });
    expect(await rawGet("/assets/app.js")).toMatchObject({ status: 200, type: "text/javascript; charset=utf-8" });
    expect((await rawGet("/missing.js")).status).toBe(404);
    expect((await rawGet("/assets")).status).toBe(404);
    for (const path of ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/assets/..%2F..%2Fsecret.txt", "/%2e%2e%5csecret.txt", "/x%00.html", "/%E0%A4%A"]) {
      const res = await rawGet(path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.body).not.toContain(secret);
    }
    expect((await rawGet("/..%2fsecret.txt")).status).toBe(404);
  });
});

describe("the web app beside the web chat", () => {
  /** A stand-in for the web server's listener: answers with what it was asked (the real one is tested in tests/web). */
  const seen: { method: string; url: string; host: string }[] = [];
  const echo = (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", host: req.headers.host ?? "" });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ webApp: req.url }));
  };

  async function restartWith(webApp: typeof echo | undefined) {
    await web.close();
    web = await start(webApp);
  }

  it("forwards the Mini App, the dashboard, their APIs and /healthz to the web server — whatever the Host — and nothing else", async () => {
    await restartWith(echo);
    seen.length = 0;
    for (const path of ["/app/", "/app", "/app/assets/index.js", "/api/app/card?x=1", "/dashboard/", "/dashboard/clients/5", "/api/dashboard/me", "/healthz"]) {
      const res = await call(path);
      expect(res, path).toEqual({ status: 200, body: { webApp: path } });
    }
    // Its Host is its own business (PUBLIC_URL names it); a POST body goes through untouched.
    expect(await requestWithHost("cashback.example", "/api/dashboard/sign-in", JSON.stringify({ token: "t" }))).toEqual({ status: 200, body: { webApp: "/api/dashboard/sign-in" } });
    expect(seen.at(-1)).toEqual({ method: "POST", url: "/api/dashboard/sign-in", host: "cashback.example" });
    // Look-alikes and the web chat's own API stay the web chat's, with its Host check.
    const before = seen.length;
    expect((await call("/apps")).status).toBe(404);
    expect((await call("/api/application")).status).toBe(404);
    expect((await call("/healthzz")).status).toBe(404);
    expect((await requestWithHost("rebound.example:80", "/api/state")).status).toBe(403);
    expect((await call("/api/state")).status).toBe(200);
    expect(seen).toHaveLength(before);
  });

  it("without a web server those paths are the web chat's 404s", async () => {
    await restartWith(undefined);
    expect((await call("/api/app/card")).status).toBe(404);
    expect((await call("/healthz")).status).toBe(404);
  });

  it("a web_app button of the bot opens at its URL with initData signed by that bot for the person, the version, platform and theme", async () => {
    const appUrl = `${web.url}/app/`;
    const card = await bots.client.sendMessage(client.telegramId, "your card", { reply_markup: new InlineKeyboard().webApp("💳 My card", appUrl) });
    const res = await call(`/api/chats/client/${client.telegramId}/web-app`, { messageId: card.message_id, url: appUrl });
    expect(res.status).toBe(200);
    const launch = new URL(res.body.launchUrl as string);
    expect(`${launch.origin}${launch.pathname}`).toBe(appUrl);
    const params = new URLSearchParams(launch.hash.slice(1));
    expect(params.get("tgWebAppVersion")).toBe("8.0");
    expect(params.get("tgWebAppPlatform")).toBe("web");
    expect(JSON.parse(params.get("tgWebAppThemeParams")!)).toMatchObject({ bg_color: "#ffffff", button_color: "#3390ec" });

    const initData = params.get("tgWebAppData")!;
    const checked = checkInitData(initData, { botToken: sandboxBots.client.token, maxAgeSeconds: 60, now: new Date() });
    expect(checked).toMatchObject({ ok: true, user: { id: client.telegramId, firstName: "Ivan", languageCode: "ru" } });
    // Signed with the client bot's token: the partner bot's does not check.
    expect(checkInitData(initData, { botToken: sandboxBots.partner.token, maxAgeSeconds: 60, now: new Date() })).toMatchObject({ ok: false, code: "INIT_DATA_INVALID" });
  });

  it("refuses what is not the bot's own web_app button to this server's page", async () => {
    const appUrl = `${web.url}/app/`;
    const elsewhere = "https://example.com/app/";
    const own = await bots.client.sendMessage(client.telegramId, "card", { reply_markup: new InlineKeyboard().webApp("Card", appUrl) });
    const foreign = await bots.client.sendMessage(client.telegramId, "other", { reply_markup: new InlineKeyboard().webApp("Other", elsewhere) });
    const plain = await bots.client.sendMessage(client.telegramId, "plain", { reply_markup: new InlineKeyboard().url("Site", appUrl) });
    const path = `/api/chats/client/${client.telegramId}/web-app`;
    const refused = [
      [await call(path, { messageId: foreign.message_id, url: elsewhere }), 400],
      [await call(path, { messageId: own.message_id, url: `${appUrl}?x=1` }), 400],
      [await call(path, { messageId: plain.message_id, url: appUrl }), 400],
      [await call(path, { messageId: 99_999, url: appUrl }), 400],
      [await call(path, { messageId: own.message_id }), 400],
      [await call(path, { messageId: own.message_id, url: appUrl, user: { id: 1 } }), 400],
      [await call(`/api/chats/partner/${client.telegramId}/web-app`, { messageId: own.message_id, url: appUrl }), 400],
      [await call(`/api/chats/client/555/web-app`, { messageId: own.message_id, url: appUrl }), 404],
      [await postAsAnotherSite(path, JSON.stringify({ messageId: own.message_id, url: appUrl })), 415],
      [await requestWithHost("rebound.example:80", path, JSON.stringify({ messageId: own.message_id, url: appUrl })), 403],
    ] as const;
    for (const [res, status] of refused) {
      expect(res.status).toBe(status);
      expect(res.body).toEqual({ error: expect.any(String) });
    }
  });
});
