import { createReadStream } from "node:fs";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, resolve, sep } from "node:path";
import { sign } from "@telegram-apps/init-data-node";
import type { Message, MessageEntity, ReplyKeyboardMarkup } from "grammy/types";
import { z } from "zod";
import type { Logger } from "../../core/logger.js";
import type { BotName } from "../../telegram/bot-name.js";
import type { ChatEvent, ChatMessageView, Persona, ReplyKeyboardView, SandboxState } from "./protocol.js";
import { contentTypes } from "../../web/server/static.js";
import { newPersonaIdBase } from "../settings.js";
import { sniffContentType, type BotApiEvent, type BotApiUser, type LocalBotApi } from "../telegram/bot-api.js";

/**
 * The web chat's HTTP server: the built page, and a small JSON API over the local Bot API through which the page plays
 * Telegram's client for any persona — reading a chat, sending as that person, and Server-Sent Events for what changes.
 * Only ever on 127.0.0.1: it lets anyone speak as anyone.
 */

export type WebChatServerOptions = {
  host: string;
  /** 0: any free port. */
  port: number;
  botApi: LocalBotApi;
  bots: Record<BotName, { token: string; id: number; username: string; firstName: string }>;
  /** The built page; null serves the API only. */
  staticDir: string | null;
  /** The people to play, from the database; merged with the ones created here. */
  listPersonas: () => Promise<Persona[]>;
  /** The sandbox's data folder, shown on the page (as an absolute path); `personas.json` (people created in the web chat) is kept here. */
  dataDir: string;
  logger: Logger;
  /**
   * The project's web server (its node request listener): the Mini App, the dashboard, their APIs and /healthz are
   * served here beside the web chat, at the same address (PUBLIC_URL in the sandbox). Unset: those paths are 404.
   */
  webApp?: (req: IncomingMessage, res: ServerResponse) => void;
};

/** Paths that belong to the web server, not the web chat (see `webApp`). */
const webAppPaths = /^\/(?:app|dashboard|healthz)(?:\/|$)|^\/api\/(?:app|dashboard)(?:\/|$)/;

const botNames = ["client", "partner", "admin"] as const satisfies readonly BotName[];
const maxBodyBytes = 64 * 1024;
/** How long a read persona list serves sends (names and languages change rarely; a new person is read at once). */
const personaListMaxAgeMs = 5_000;
/** SSE comment lines keep idle connections (and proxies) from timing out. */
const pingEveryMs = 15_000;

const personaSchema = z.object({
  telegramId: z.number().int().positive(),
  firstName: z.string().min(1),
  lastName: z.string().optional(),
  languageCode: z.enum(["ru", "en"]),
  role: z.enum(["client", "owner", "cashier", "admin", "applicant"]),
  bot: z.enum(botNames),
  phone: z.string().optional(),
  detail: z.string().optional(),
});
const newPersonaBody = z.strictObject({
  role: z.enum(["client", "applicant"]),
  firstName: z.string().trim().min(1).max(64).optional(),
  languageCode: z.enum(["ru", "en"]).optional(),
});
const sendBody = z.union([
  z.strictObject({ text: z.string().max(4096).refine((text) => text.trim() !== "", "the text is empty") }),
  z.strictObject({ contact: z.literal(true) }),
  z.strictObject({ callbackData: z.string().min(1).max(64), messageId: z.number().int().positive() }),
]);
/** Opening a bot's web_app button: which message it is on and the URL it names (checked against that message). */
const webAppBody = z.strictObject({ messageId: z.number().int().positive(), url: z.string().min(1).max(2048) });

/**
 * The theme a Mini App opened from the web chat is given (Telegram passes the client's theme the same way): the web
 * chat's own colours, so the app looks like part of it.
 */
const webChatTheme = {
  bg_color: "#ffffff",
  secondary_bg_color: "#f1f1f4",
  section_bg_color: "#ffffff",
  header_bg_color: "#ffffff",
  bottom_bar_bg_color: "#ffffff",
  text_color: "#0f1419",
  hint_color: "#707579",
  subtitle_text_color: "#707579",
  link_color: "#3390ec",
  accent_text_color: "#3390ec",
  button_color: "#3390ec",
  button_text_color: "#ffffff",
  section_header_text_color: "#3390ec",
  section_separator_color: "#e4e7ea",
  destructive_text_color: "#e53935",
};

/** An answer for the client: its status and a message the page can show. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startWebChatServer(options: WebChatServerOptions): Promise<{ url: string; close: () => Promise<void> }> {
  const { botApi, bots, logger } = options;
  const botByToken = new Map(botNames.map((name) => [bots[name].token, name]));
  const created = await createdPersonas(join(options.dataDir, "personas.json"), logger);
  const eventStreams = new Set<{ res: ServerResponse; stop: () => void }>();
  /** `host:port` values of the Host header this server answers (filled in once it listens). */
  const allowedHosts = new Set<string>();

  /** Everyone the page can play: the database's people, then those created here and not in the database yet. */
  async function personas(): Promise<Persona[]> {
    const listed = await options.listPersonas();
    const listedIds = new Set(listed.map((p) => p.telegramId));
    return [...listed, ...created.all().filter((p) => !listedIds.has(p.telegramId))];
  }

  /**
   * The list as last read (a send needs only the person's name and language): read again when older than a few
   * seconds or when the person is not in it, so sending does not add the whole list's queries to every message.
   */
  let recent: { at: number; list: Persona[] } | undefined;
  async function persona(telegramId: number, bot: BotName): Promise<Persona> {
    const fresh = recent !== undefined && Date.now() - recent.at < personaListMaxAgeMs && recent.list.some((p) => p.telegramId === telegramId);
    if (!fresh) recent = { at: Date.now(), list: await personas() };
    const matches = recent!.list.filter((p) => p.telegramId === telegramId);
    const found = matches.find((p) => p.bot === bot) ?? matches[0];
    if (!found) throw new HttpError(404, `no persona with Telegram id ${telegramId}: pick one from /api/state or create one`);
    return found;
  }

  async function chatView(bot: BotName, chatId: number) {
    const { token, id } = bots[bot];
    // The menu in the person's language from the start, as their Telegram app shows it before they write.
    const languageCode = (await persona(chatId, bot).catch(() => undefined))?.languageCode;
    return {
      messages: botApi.chatMessages(token, chatId).map((m) => messageView(m, id, botApi.messageHtml(token, chatId, m.message_id))),
      commands: botApi.commandsFor(token, chatId, languageCode).map(({ command, description }) => ({ command, description })),
      replyKeyboard: keyboardView(botApi.replyKeyboard(token, chatId)),
    };
  }

  async function send(bot: BotName, telegramId: number, body: z.infer<typeof sendBody>): Promise<void> {
    const person = await persona(telegramId, bot);
    const user: BotApiUser = {
      id: person.telegramId,
      first_name: person.firstName,
      ...(person.lastName && { last_name: person.lastName }),
      language_code: person.languageCode,
    };
    const { token, id: botId } = bots[bot];
    if ("text" in body) return void botApi.sendText(token, user, body.text);
    if ("contact" in body) return void botApi.sendContact(token, user, person.phone ?? phoneFor(person.telegramId));
    // As in Telegram's client, only a button that is there can be pressed.
    const message = botApi.chatMessages(token, telegramId).find((m) => m.message_id === body.messageId);
    if (!message || message.from?.id !== botId) throw new HttpError(400, `the bot sent no message ${body.messageId} in this chat`);
    const buttons = message.reply_markup?.inline_keyboard.flat() ?? [];
    if (!buttons.some((b) => "callback_data" in b && b.callback_data === body.callbackData)) {
      throw new HttpError(400, `message ${body.messageId} has no button with that callback data`);
    }
    botApi.pressButton(token, user, body.callbackData, { chat_id: telegramId, message_id: body.messageId });
  }

  /**
   * What Telegram's client does when a web_app button is pressed: opens its URL with the launch parameters in the
   * fragment — initData signed with the bot's token for this person, the version, the platform, the theme. Only a
   * button the bot really sent in this chat, and only a page of this server (the sandbox's own Mini App).
   */
  async function webAppLaunch(bot: BotName, telegramId: number, body: z.infer<typeof webAppBody>): Promise<string> {
    const person = await persona(telegramId, bot);
    const { token, id: botId } = bots[bot];
    const message = botApi.chatMessages(token, telegramId).find((m) => m.message_id === body.messageId);
    if (!message || message.from?.id !== botId) throw new HttpError(400, `the bot sent no message ${body.messageId} in this chat`);
    const buttons = message.reply_markup?.inline_keyboard.flat() ?? [];
    if (!buttons.some((b) => "web_app" in b && b.web_app?.url === body.url)) throw new HttpError(400, `message ${body.messageId} has no web_app button with that URL`);
    let target: URL;
    try {
      target = new URL(body.url);
    } catch {
      throw new HttpError(400, "the button's URL is not a URL");
    }
    if (target.protocol !== "http:" || !allowedHosts.has(target.host.toLowerCase())) {
      throw new HttpError(400, "the web chat opens only its own pages as a Mini App (open other URLs as links)");
    }
    const user = {
      id: person.telegramId,
      first_name: person.firstName,
      ...(person.lastName && { last_name: person.lastName }),
      language_code: person.languageCode,
    };
    const initData = sign({ user }, token, new Date());
    const launch = new URLSearchParams({ tgWebAppData: initData, tgWebAppVersion: "8.0", tgWebAppPlatform: "web", tgWebAppThemeParams: JSON.stringify(webChatTheme) });
    target.hash = launch.toString();
    return target.toString();
  }

  function toChatEvent(event: BotApiEvent): ChatEvent | undefined {
    const bot = botByToken.get(event.token);
    if (!bot) return undefined;
    switch (event.type) {
      case "message":
        return { type: "message", bot, chatId: event.chatId, message: messageView(event.message, bots[bot].id, event.html) };
      case "deleted":
        return { type: "deleted", bot, chatId: event.chatId, messageId: event.messageId };
      case "callback-answer":
        return {
          type: "callback-answer",
          bot,
          chatId: event.chatId,
          ...(event.text !== undefined && { text: event.text }),
          ...(event.showAlert && { showAlert: true }),
        };
      case "keyboard":
        return { type: "keyboard", bot, chatId: event.chatId, replyKeyboard: keyboardView(event.markup) };
    }
  }

  function openEventStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" });
    res.write(": connected\n\n");
    const unsubscribe = botApi.onChange((event) => {
      const chatEvent = toChatEvent(event);
      if (chatEvent) res.write(`data: ${JSON.stringify(chatEvent)}\n\n`);
    });
    const ping = setInterval(() => res.write(": ping\n\n"), pingEveryMs);
    const stream = {
      res,
      stop: () => {
        unsubscribe();
        clearInterval(ping);
        eventStreams.delete(stream);
      },
    };
    eventStreams.add(stream);
    req.on("close", stream.stop);
    res.on("error", stream.stop);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Anyone who can reach this server can speak as anyone: only this machine's own browser, by its own address
    // (a page elsewhere that points a name of its own at 127.0.0.1 — DNS rebinding — gets nothing).
    if (!allowedHosts.has((req.headers.host ?? "").toLowerCase())) throw new HttpError(403, "this web chat answers only at its own address");
    const url = new URL(req.url ?? "/", "http://web-chat.invalid");
    const path = url.pathname;
    const method = req.method ?? "GET";
    if (!path.startsWith("/api/")) {
      if (method !== "GET" && method !== "HEAD") throw new HttpError(405, "method not allowed");
      return serveStatic(options.staticDir, path, req, res);
    }
    if (path === "/api/state" && method === "GET") {
      const botView = (name: BotName) => ({ username: bots[name].username, firstName: bots[name].firstName });
      const state: SandboxState = { bots: { client: botView("client"), partner: botView("partner"), admin: botView("admin") }, personas: await personas(), dataDir: resolve(options.dataDir) };
      return sendJson(res, 200, state);
    }
    if (path === "/api/personas" && method === "POST") {
      const body = parseBody(newPersonaBody, await readJson(req));
      const existing = await personas();
      return sendJson(res, 200, await created.add(body, existing));
    }
    if (path === "/api/events" && method === "GET") return openEventStream(req, res);
    const file = /^\/api\/files\/([^/]+)$/.exec(path);
    if (file && method === "GET") {
      const bytes = botApi.fileBytes(decodePathPart(file[1]!));
      if (!bytes) throw new HttpError(404, "no such file");
      res.writeHead(200, { "content-type": sniffContentType(bytes), "content-length": bytes.length, "cache-control": "private, max-age=31536000, immutable" });
      return void res.end(bytes);
    }
    const chat = /^\/api\/chats\/([^/]+)\/([^/]+)(\/send|\/web-app)?$/.exec(path);
    if (chat) {
      const bot = botNames.find((name) => name === chat[1]);
      if (!bot) throw new HttpError(400, `unknown bot ${JSON.stringify(chat[1])}: one of ${botNames.join(", ")}`);
      const telegramId = /^[1-9]\d{0,14}$/.test(chat[2]!) ? Number(chat[2]) : NaN;
      if (!Number.isSafeInteger(telegramId)) throw new HttpError(400, `not a Telegram id: ${JSON.stringify(chat[2])}`);
      if (chat[3] === undefined && method === "GET") return sendJson(res, 200, await chatView(bot, telegramId));
      if (chat[3] === "/send" && method === "POST") {
        await send(bot, telegramId, parseBody(sendBody, await readJson(req)));
        return sendJson(res, 200, { ok: true });
      }
      if (chat[3] === "/web-app" && method === "POST") {
        return sendJson(res, 200, { launchUrl: await webAppLaunch(bot, telegramId, parseBody(webAppBody, await readJson(req))) });
      }
      throw new HttpError(405, "method not allowed");
    }
    throw new HttpError(404, `no such API: ${method} ${path}`);
  }

  const server = createServer((req, res) => {
    res.on("error", () => {});
    // The web server's paths go to it whole: it answers any Host (it is what PUBLIC_URL names) and has its own checks.
    if (options.webApp && webAppPaths.test(pathOf(req))) return options.webApp(req, res);
    route(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) return sendJson(res, err.status, { error: err.message });
      logger.error({ err, url: req.url }, "web chat: request failed");
      sendJson(res, 500, { error: `internal error: ${err instanceof Error ? err.message : String(err)}` });
    });
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolvePromise());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host}:${port}`;
  allowedHosts.add(`${options.host}:${port}`).add(`localhost:${port}`);
  logger.debug({ url }, "web chat: listening");

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolvePromise) => {
      for (const stream of [...eventStreams]) {
        stream.stop();
        stream.res.end();
      }
      server.close(() => resolvePromise());
      server.closeAllConnections();
    });
    return closing;
  };
  return { url, close };
}

// === Personas created in the web chat

/** People created with "new client" / "applicant": in memory, and in `personas.json` so they outlive a restart. */
async function createdPersonas(file: string, logger: Logger) {
  let list: Persona[] = [];
  try {
    list = z.array(personaSchema).parse(JSON.parse(await readFile(file, "utf8"))) as Persona[];
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") logger.warn({ err, file }, "web chat: personas.json is unreadable; starting without the people created before");
  }
  /** One write at a time, each replacing the file whole (write aside, then rename), so a crash never leaves half a file. */
  let writing = Promise.resolve();
  const save = () => {
    const snapshot = JSON.stringify(list, null, 2);
    // After a failed write the next one still runs (and rewrites the whole list).
    writing = writing.catch(() => undefined).then(async () => {
      await mkdir(join(file, ".."), { recursive: true });
      await writeFile(`${file}.tmp`, snapshot);
      await rename(`${file}.tmp`, file);
    });
    return writing;
  };
  return {
    all: () => [...list],
    /** A fresh Telegram id above every one already used (here or in the database) from {@link newPersonaIdBase}. */
    async add(body: z.infer<typeof newPersonaBody>, existing: readonly Persona[]): Promise<Persona> {
      const used = [...existing, ...list].map((p) => p.telegramId).filter((id) => id > newPersonaIdBase);
      const telegramId = Math.max(newPersonaIdBase, ...used) + 1;
      const n = telegramId - newPersonaIdBase;
      const languageCode = body.languageCode ?? "ru";
      const persona: Persona = {
        telegramId,
        firstName: body.firstName ?? defaultName(body.role, languageCode, n),
        languageCode,
        role: body.role,
        bot: body.role === "client" ? "client" : "partner",
        phone: phoneFor(telegramId),
      };
      list.push(persona);
      await save();
      return persona;
    },
  };
}

function defaultName(role: "client" | "applicant", language: "ru" | "en", n: number): string {
  const names = { client: { ru: "Клиент", en: "Client" }, applicant: { ru: "Заявитель", en: "Applicant" } };
  return `${names[role][language]} ${n}`;
}

/** What "share my phone" sends for a person with no phone of their own: +7999 and seven digits of their id. */
function phoneFor(telegramId: number): string {
  return `+7999${String(telegramId % 10_000_000).padStart(7, "0")}`;
}

// === Telegram's shapes → the page's

export function messageView(message: Message, botId: number, html: string | undefined): ChatMessageView {
  const view: ChatMessageView = { messageId: message.message_id, from: message.from?.id === botId ? "bot" : "user", date: message.date, edited: message.edit_date !== undefined };
  if (message.text !== undefined) view.text = message.text;
  if (message.caption !== undefined) view.caption = message.caption;
  const entities = message.entities ?? message.caption_entities;
  if (entities && entities.length > 0) view.entities = entities;
  if (html !== undefined) view.html = html;
  const photo = message.photo?.at(-1); // the largest size
  if (photo) view.photoFileId = photo.file_id;
  if (message.document) {
    view.documentFileId = message.document.file_id;
    if (message.document.file_name !== undefined) view.documentName = message.document.file_name;
  }
  if (message.contact) view.contactPhone = message.contact.phone_number;
  const rows = message.reply_markup?.inline_keyboard;
  if (rows) {
    view.inlineKeyboard = rows.map((row) =>
      row.map((button) => ({
        text: button.text,
        ...("callback_data" in button && button.callback_data !== undefined && { callbackData: button.callback_data }),
        ...("url" in button && button.url !== undefined && { url: button.url }),
        ...("web_app" in button && button.web_app !== undefined && { webAppUrl: button.web_app.url }),
      })),
    );
  }
  return view;
}

export function keyboardView(markup: ReplyKeyboardMarkup | null): ReplyKeyboardView | null {
  if (!markup) return null;
  return {
    rows: markup.keyboard.map((row) =>
      row.map((button) => (typeof button === "string" ? { text: button } : { text: button.text, ...("request_contact" in button && button.request_contact && { requestContact: true }) })),
    ),
    oneTime: markup.one_time_keyboard === true,
    ...(markup.input_field_placeholder !== undefined && { placeholder: markup.input_field_placeholder }),
  };
}

// === HTTP plumbing

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return void res.end();
  const json = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(json), "cache-control": "no-store" });
  res.end(json);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  // Only a JSON body: a form or text/plain post from another site (which a browser sends without asking) is refused.
  if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) throw new HttpError(415, "send the body as application/json");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) throw new HttpError(413, `the body is larger than ${maxBodyBytes} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, "the body is not JSON");
  }
}

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new HttpError(400, `invalid body: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? "/", "http://web-chat.invalid").pathname;
  } catch {
    return "/";
  }
}

function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new HttpError(400, "malformed URL");
  }
}

/** A file of the built page; `/` is index.html. Nothing outside `root` is ever read, whatever the path says. */
async function serveStatic(root: string | null, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (root === null) throw new HttpError(404, "the web chat page is not built");
  const relative = path === "/" ? "index.html" : decodePathPart(path).replace(/^\/+/, "");
  if (relative.includes("\0")) throw new HttpError(404, "not found");
  const base = resolve(root);
  const file = resolve(base, relative);
  if (!file.startsWith(base + sep)) throw new HttpError(404, "not found");
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new HttpError(404, "not found");
  res.writeHead(200, {
    "content-type": contentTypes[extname(file).toLowerCase()] ?? "application/octet-stream",
    "content-length": info.size,
    // Vite names assets by their content; the page itself must be fetched afresh to pick up a rebuild.
    "cache-control": relative.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache",
  });
  if (req.method === "HEAD") return void res.end();
  await new Promise<void>((resolvePromise) => {
    createReadStream(file)
      .on("error", () => res.destroy())
      .on("close", resolvePromise)
      .pipe(res);
  });
}
