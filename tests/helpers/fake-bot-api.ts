import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { BotCommand, InlineKeyboardMarkup, Message, PhotoSize, Update, UserFromGetMe } from "grammy/types";

/**
 * A fake Telegram Bot API server for tests: real HTTP on 127.0.0.1, so the product's bots run unchanged as child processes
 * (`TELEGRAM_API_ROOT=fake.url`) and the whole stack — grammY's client, auto-retry, the runner's long polling — is exercised.
 *
 * It behaves like Telegram where the bots could notice: unknown tokens get 401, updates are numbered per bot and dropped
 * once confirmed by `offset`, `getUpdates` long-polls (and a second concurrent poll ends the first with 409), message ids
 * count per chat, editing a message to the same content fails with "message is not modified", errors carry `error_code`
 * as the HTTP status. Every call is recorded with its parsed parameters and arrival time; failures can be injected.
 * It never throws on a bad request: it answers 400 with a description.
 */

export type BotInfo = { id: number; username: string; first_name?: string };
/** The Telegram user on the other side of a private chat. `first_name` defaults to "User <id>". */
export type FakeUser = { id: number; first_name?: string; last_name?: string; username?: string; language_code?: string };
/** An error as Telegram sends it; `error_code` is also the HTTP status. */
export type ApiError = { error_code: number; description: string; parameters?: { retry_after?: number; migrate_to_chat_id?: number } };
/** What an uploaded file (a multipart part with a filename) is recorded as, in place of its `attach://` reference. */
export type UploadedFile = { filename: string; size: number };
export type RecordedCall = {
  method: string;
  /** Parsed as Telegram would: numbers and JSON fields (reply_markup, entities…) of form bodies decoded, uploads as {@link UploadedFile}. */
  params: Record<string, unknown>;
  /** Arrival time, ms since the epoch. */
  at: number;
  /** The error code answered, if the call failed (injected, blocked chat, or a bad request). */
  failed?: number;
  /** What was answered on success. Unset while a `getUpdates` is still held. */
  result?: unknown;
};
/** A message the bot sent or edited in a chat, as listed by {@link FakeBotApi.messagesTo}. */
export type ChatMessage = { method: string; message_id: number; text?: string; caption?: string; reply_markup?: unknown; at: number };
export type NewUpdate = Omit<Update, "update_id"> & { update_id?: number };

export const tooManyRequests = (retryAfter: number): ApiError => ({
  error_code: 429,
  description: `Too Many Requests: retry after ${retryAfter}`,
  parameters: { retry_after: retryAfter },
});
export const blockedByUser: ApiError = { error_code: 403, description: "Forbidden: bot was blocked by the user" };

const maxBodyBytes = 50 * 1024 * 1024;
/** Methods whose successful calls {@link FakeBotApi.messagesTo} lists. */
const messageMethods = new Set(["sendMessage", "sendPhoto", "sendDocument", "editMessageText", "editMessageCaption", "editMessageReplyMarkup"]);
/** Methods that fail with 403 in a chat whose user blocked the bot. */
const blockableMethod = /^(send|copy|forward|edit)/i;

/** Form and multipart bodies carry strings only; Telegram decodes these fields as JSON, integers or booleans. */
const jsonFields = new Set([
  "reply_markup", "entities", "caption_entities", "allowed_updates", "commands", "scope", "reply_parameters", "link_preview_options",
  "media", "results", "options", "permissions", "message_ids", "menu_button", "reaction",
]);
const integerFields = new Set([
  "chat_id", "from_chat_id", "message_id", "offset", "limit", "timeout", "user_id", "reply_to_message_id", "message_thread_id",
  "width", "height", "duration", "cache_time", "max_connections",
]);
const booleanFields = new Set([
  "show_alert", "disable_notification", "protect_content", "drop_pending_updates", "disable_web_page_preview", "is_personal",
  "allow_sending_without_reply", "has_spoiler", "disable_content_type_detection", "show_caption_above_media",
]);

/** A Telegram error answer, thrown by a method handler. */
class ApiFailure extends Error {
  constructor(readonly error: ApiError) {
    super(error.description);
  }
}
const badRequest = (description: string) => new ApiFailure({ error_code: 400, description: `Bad Request: ${description}` });

type Delivery = { update: Update; redelivery: boolean; handedOut: boolean };
type Poll = { call: RecordedCall; limit: number; timer: NodeJS.Timeout; answer: (body: object, status?: number) => Promise<void> };
type Waiter = { check: (call: RecordedCall) => void; cancel: (reason: string) => void };
type Params = Record<string, unknown>;

class BotState {
  nextUpdateId = 1;
  confirmedOffset = 0;
  /** Updates not yet confirmed, plus redeliveries, in the order pushed. */
  readonly pending: Delivery[] = [];
  /** Every update ever pushed, for redelivery. */
  readonly updates = new Map<number, Update>();
  poll: Poll | undefined;
  readonly calls: RecordedCall[] = [];
  readonly waiters = new Set<Waiter>();
  /** Injected failures per method (lowercase), used up one per call. */
  readonly failures = new Map<string, ApiError[]>();
  /** Injected answer delays per method (lowercase), in ms, used up one per call. */
  readonly delays = new Map<string, number[]>();
  readonly blocked = new Set<number>();
  readonly users = new Map<number, FakeUser>();
  readonly lastMessageId = new Map<number, number>();
  /** Every message in every chat, the bot's and the users', keyed `chat:message`, in their latest (edited) form. */
  readonly messages = new Map<string, Message>();
  readonly callbackQueryIds = new Set<string>();
  readonly fileSizes = new Map<string, number | undefined>();
  readonly commands = new Map<string, BotCommand[]>();
  readonly descriptions = new Map<string, string>();

  constructor(
    readonly token: string,
    public info: BotInfo,
  ) {}
}

export class FakeBotApi {
  private readonly bots = new Map<string, BotState>();
  private stopping: Promise<void> | undefined;
  private unreachable = false;
  private readonly sockets = new Set<Socket>();
  private nextFileId = 1;
  private nextCallbackQueryId = 1;

  private constructor(
    private readonly server: Server,
    /** The API root to give grammY (`client.apiRoot`) or the product (`TELEGRAM_API_ROOT`). */
    readonly url: string,
  ) {}

  /** Listens on 127.0.0.1 on a free port. */
  static async start(): Promise<FakeBotApi> {
    let api: FakeBotApi | undefined;
    const server = createServer((req, res) => void api?.serve(req, res));
    server.on("connection", (socket) => api?.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    api = new FakeBotApi(server, `http://127.0.0.1:${port}`);
    return api;
  }

  /** Answers held long polls with no updates, fails pending `waitFor`s, and closes every connection. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const answers: Promise<void>[] = [];
      for (const bot of this.bots.values()) {
        const poll = bot.poll;
        if (poll) answers.push(this.finishPoll(bot, poll, { ok: true, result: [] }));
        for (const waiter of bot.waiters) waiter.cancel("the fake Bot API was stopped");
      }
      await Promise.all(answers);
      await new Promise<void>((resolve) => {
        this.server.close(() => resolve());
        this.server.closeAllConnections();
      });
    })();
    return this.stopping;
  }

  /** Registers a bot; requests with any other token are answered 401 Unauthorized. */
  addBot(token: string, info: BotInfo): void {
    const bot = this.bots.get(token);
    if (bot) bot.info = info;
    else this.bots.set(token, new BotState(token, info));
  }

  // === Updates

  /** Queues an update for the bot's `getUpdates`; numbers it (per bot, from 1) unless it has an `update_id`. */
  pushUpdate(token: string, update: NewUpdate): number {
    const bot = this.bot(token);
    const id = update.update_id ?? bot.nextUpdateId;
    if (!Number.isSafeInteger(id) || id < 1) throw new Error(`pushUpdate: update_id must be a positive integer, got ${id}`);
    bot.nextUpdateId = Math.max(bot.nextUpdateId, id + 1);
    const full = { ...update, update_id: id } as Update;
    bot.updates.set(id, full);
    bot.pending.push({ update: full, redelivery: false, handedOut: false });
    this.wake(bot);
    return id;
  }

  /**
   * Delivers an update again, as Telegram does when it did not see the bot confirm it: the next `getUpdates` returns it
   * whatever its offset, ahead of newer updates, until an offset past it confirms it.
   */
  redeliver(token: string, updateId: number): void {
    const bot = this.bot(token);
    const update = bot.updates.get(updateId);
    if (!update) throw new Error(`redeliver: @${bot.info.username} never had update ${updateId}`);
    bot.pending.push({ update, redelivery: true, handedOut: false });
    this.wake(bot);
  }

  /** A text message from `from` in their private chat; a leading `/command` gets its `bot_command` entity. */
  sendText(token: string, from: FakeUser, text: string, extra: Partial<Message> = {}): number {
    const command = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
    const entities = command ? [{ type: "bot_command" as const, offset: 0, length: command[0].length }] : undefined;
    return this.pushMessage(token, from, { text, ...(entities && { entities }), ...extra });
  }

  /** The user shares their own contact (the "share my phone" button). */
  sendContact(token: string, from: FakeUser, phone: string): number {
    const contact = { phone_number: phone, first_name: firstName(from), ...(from.last_name && { last_name: from.last_name }), user_id: from.id };
    return this.pushMessage(token, from, { contact });
  }

  /** The user sends a photo (two sizes, as Telegram gives them). */
  sendPhotoMessage(token: string, from: FakeUser, extra: Partial<Message> = {}): number {
    const bot = this.bot(token);
    const photo = [this.photoSize(bot, 90, 1_200), this.photoSize(bot, 800, 48_000)];
    return this.pushMessage(token, from, { photo, ...extra });
  }

  /**
   * The user presses an inline button with callback data `data`. `message` names the bot's message the button is on;
   * without it, the newest bot message in the user's chat with a button carrying `data` is used, if any.
   */
  pressButton(token: string, from: FakeUser, data: string, message?: { message_id: number; chat_id: number }): number {
    const bot = this.bot(token);
    this.rememberUser(bot, from);
    let onMessage: Message | undefined;
    if (message) {
      onMessage = bot.messages.get(messageKey(message.chat_id, message.message_id));
      if (onMessage?.from?.id !== bot.info.id) {
        const ours = [...bot.messages.values()].filter((m) => m.chat.id === message.chat_id && m.from?.id === bot.info.id).map((m) => m.message_id);
        throw new Error(`pressButton: @${bot.info.username} sent no message ${message.message_id} to chat ${message.chat_id} (it sent: ${ours.join(", ") || "none"})`);
      }
    } else {
      onMessage = [...bot.messages.values()].reverse().find((m) => m.chat.id === from.id && m.from?.id === bot.info.id && hasButton(m, data));
    }
    const id = `${Date.now()}${String(this.nextCallbackQueryId++).padStart(6, "0")}`;
    bot.callbackQueryIds.add(id);
    const chatInstance = String(onMessage?.chat.id ?? from.id);
    return this.pushUpdate(token, { callback_query: { id, from: userOf(from), chat_instance: chatInstance, data, ...(onMessage && { message: onMessage }) } });
  }

  /** The highest `offset` the bot has confirmed with `getUpdates`. */
  confirmedOffset(token: string): number {
    return this.bot(token).confirmedOffset;
  }

  // === Recorded calls

  calls(token: string): RecordedCall[] {
    return [...this.bot(token).calls];
  }

  /** The bot's successful sends and edits in a chat, oldest first, with the text/caption and reply_markup it passed. */
  messagesTo(token: string, chatId: number): ChatMessage[] {
    return this.bot(token)
      .calls.filter((c) => messageMethods.has(c.method) && c.failed === undefined && c.result !== undefined && Number(c.params.chat_id) === chatId)
      .map((c) => ({
        method: c.method,
        message_id: isMessage(c.result) ? c.result.message_id : Number(c.params.message_id),
        ...(typeof c.params.text === "string" && { text: c.params.text }),
        ...(typeof c.params.caption === "string" && { caption: c.params.caption }),
        ...(c.params.reply_markup !== undefined && { reply_markup: c.params.reply_markup }),
        at: c.at,
      }));
  }

  /** The first call, already made or still to come, matching `predicate`; rejects after `timeoutMs` listing the bot's last calls. */
  waitFor(token: string, predicate: (call: RecordedCall) => boolean, timeoutMs = 10_000): Promise<RecordedCall> {
    const bot = this.bot(token);
    const error = new Error(); // created here so its stack points at the test, not at a timer
    return new Promise((resolve, reject) => {
      const past = bot.calls.find(predicate);
      if (past) return resolve(past);
      if (this.stopping) return reject(Object.assign(error, { message: "waitFor: the fake Bot API is stopped" }));
      const finish = (outcome: () => void) => {
        clearTimeout(timer);
        bot.waiters.delete(waiter);
        outcome();
      };
      const waiter: Waiter = {
        check: (call) => {
          try {
            if (predicate(call)) finish(() => resolve(call));
          } catch (err) {
            finish(() => reject(err));
          }
        },
        cancel: (reason) => finish(() => reject(Object.assign(error, { message: `waitFor: ${reason}\n${this.describe(bot)}` }))),
      };
      const timer = setTimeout(() => waiter.cancel(`no matching call to @${bot.info.username} within ${timeoutMs} ms`), timeoutMs);
      bot.waiters.add(waiter);
    });
  }

  /** The first successful send or edit to `chatId` whose text or caption contains `expected` (or matches it). */
  waitForText(token: string, chatId: number, expected: string | RegExp, timeoutMs?: number): Promise<RecordedCall> {
    const matches = (text: unknown) => typeof text === "string" && (typeof expected === "string" ? text.includes(expected) : expected.test(text));
    return this.waitFor(
      token,
      (c) => messageMethods.has(c.method) && c.failed === undefined && Number(c.params.chat_id) === chatId && matches(c.params.text ?? c.params.caption),
      timeoutMs,
    );
  }

  // === Failure injection

  /** The next `times` calls of `method` fail with `error` (see {@link tooManyRequests}, {@link blockedByUser}). */
  failNext(token: string, method: string, error: ApiError, times = 1): void {
    const bot = this.bot(token);
    const queue = bot.failures.get(method.toLowerCase()) ?? [];
    for (let i = 0; i < times; i++) queue.push(error);
    bot.failures.set(method.toLowerCase(), queue);
  }

  /**
   * The next `times` calls of `method` are performed at once (a message is delivered) but answered only after
   * `ms`: a slow Telegram, as seen by a client waiting for its answer.
   */
  delayNext(token: string, method: string, ms: number, times = 1): void {
    const bot = this.bot(token);
    const queue = bot.delays.get(method.toLowerCase()) ?? [];
    for (let i = 0; i < times; i++) queue.push(ms);
    bot.delays.set(method.toLowerCase(), queue);
  }

  /** Every send, copy, forward or edit to the chat fails with 403 "bot was blocked by the user" until {@link unblockChat}. */
  blockChat(token: string, chatId: number): void {
    this.bot(token).blocked.add(chatId);
  }

  unblockChat(token: string, chatId: number): void {
    this.bot(token).blocked.delete(chatId);
  }

  // === Outage

  /**
   * Telegram unreachable: every open connection (a held long poll, a request in progress) is cut and every new one
   * closed at once, so clients see a network error (ECONNRESET), not an answer — until `setReachable(true)`.
   * Nothing is recorded meanwhile: no request arrives.
   */
  setReachable(reachable: boolean): void {
    this.unreachable = !reachable;
    if (reachable) return;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  private accept(socket: Socket): void {
    if (this.unreachable) return void socket.destroy();
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
  }

  // === HTTP

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const answer = (body: object, status = 200) =>
      new Promise<void>((resolve) => {
        if (res.writableEnded || res.destroyed) return resolve();
        const json = JSON.stringify(body);
        res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
        res.end(json, () => resolve());
      });
    const fail = (error: ApiError) => answer({ ok: false, ...error }, error.error_code);
    req.on("error", () => res.destroy());
    res.on("error", () => {});
    let body: Buffer | undefined;
    try {
      body = await readBody(req);
    } catch {
      return void res.destroy(); // the client went away mid-request
    }
    try {
      if (body === undefined) return void (await fail({ error_code: 413, description: "Request Entity Too Large" }));
      const url = new URL(req.url ?? "/", this.url);
      // A file download (after getFile): deterministic bytes of the file's size.
      const download = /^\/file\/bot([^/]+)\/photos\/([^/]+)\.jpg$/.exec(url.pathname);
      if (download) {
        const owner = this.bots.get(download[1]!);
        const size = owner?.fileSizes.get(download[2]!);
        if (!owner || !owner.fileSizes.has(download[2]!)) return void (await fail({ error_code: 404, description: "Not Found" }));
        const bytes = Buffer.alloc(size ?? 1_000, 0x42);
        res.writeHead(200, { "content-type": "image/jpeg", "content-length": bytes.length });
        return void res.end(bytes);
      }
      const route = /^\/bot([^/]+)\/([A-Za-z0-9_]+)\/?$/.exec(url.pathname);
      if (!route) return void (await fail({ error_code: 404, description: "Not Found" }));
      const bot = this.bots.get(route[1]!);
      if (!bot) return void (await fail({ error_code: 401, description: "Unauthorized" }));
      const method = canonicalMethod(route[2]!);
      const call: RecordedCall = { method, params: {}, at };
      bot.calls.push(call);
      const failCall = (error: ApiError) => {
        call.failed = error.error_code;
        this.notify(bot, call);
        return fail(error);
      };
      try {
        call.params = parseParams(req.headers["content-type"], url, body);
        const injected = bot.failures.get(method.toLowerCase())?.shift();
        if (injected) return void (await failCall(injected));
        if (blockableMethod.test(method) && bot.blocked.has(Number(call.params.chat_id))) return void (await failCall(blockedByUser));
        if (method === "getUpdates") return this.getUpdates(bot, call, res, answer);
        call.result = this.dispatch(bot, method, call.params);
        this.notify(bot, call);
        const delay = bot.delays.get(method.toLowerCase())?.shift();
        if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
        await answer({ ok: true, result: call.result });
      } catch (err) {
        if (err instanceof ApiFailure) return void (await failCall(err.error));
        throw err;
      }
    } catch (err) {
      // A bug in the fake itself: answer rather than crash the test run, and say so loudly.
      console.error("fake Bot API: internal error", err);
      await fail({ error_code: 500, description: `Internal Server Error: fake Bot API: ${String(err)}` });
    }
  }

  private dispatch(bot: BotState, method: string, params: Params): unknown {
    switch (method) {
      case "getMe":
        return this.getMe(bot);
      case "logOut":
      case "close":
      case "deleteWebhook":
      case "setWebhook":
        return true;
      case "getWebhookInfo":
        return { url: "", has_custom_certificate: false, pending_update_count: bot.pending.length };
      case "setMyCommands": {
        const commands = params.commands;
        const valid = (c: unknown): c is BotCommand => isRecord(c) && typeof c.command === "string" && typeof c.description === "string";
        if (!Array.isArray(commands) || !commands.every(valid)) throw badRequest("commands must be an array of {command, description}");
        for (const c of commands) {
          if (!/^[a-z0-9_]{1,32}$/.test(c.command)) throw badRequest(`BOT_COMMAND_INVALID: ${JSON.stringify(c.command)}`);
          if (c.description.length < 1 || c.description.length > 256) throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
        }
        bot.commands.set(scopeKey(params), commands);
        return true;
      }
      case "getMyCommands":
        return bot.commands.get(scopeKey(params)) ?? [];
      case "deleteMyCommands":
        bot.commands.delete(scopeKey(params));
        return true;
      case "setMyDescription":
      case "setMyShortDescription": {
        const field = method === "setMyDescription" ? "description" : "short_description";
        const text = optionalString(params, field) ?? "";
        if (text.length > (field === "description" ? 512 : 120)) throw badRequest(`${field} is too long`);
        bot.descriptions.set(`${field}|${optionalString(params, "language_code") ?? ""}`, text);
        return true;
      }
      case "getMyDescription":
      case "getMyShortDescription": {
        const field = method === "getMyDescription" ? "description" : "short_description";
        return { [field]: bot.descriptions.get(`${field}|${optionalString(params, "language_code") ?? ""}`) ?? "" };
      }
      case "sendMessage": {
        const chatId = chatIdOf(params);
        const text = messageText(params, "text");
        if (text === undefined || text.trim() === "") throw badRequest("message text is empty");
        if (text.length > 4096) throw badRequest("message is too long");
        return this.botMessage(bot, chatId, { text, ...inlineMarkup(params) });
      }
      case "sendPhoto": {
        const chatId = chatIdOf(params);
        const size = this.fileSize(bot, params.photo, "photo");
        return this.botMessage(bot, chatId, { photo: [this.photoSize(bot, 512, size)], ...this.caption(params), ...inlineMarkup(params) });
      }
      case "sendDocument": {
        const chatId = chatIdOf(params);
        const size = this.fileSize(bot, params.document, "document");
        const file = this.newFile(bot, size);
        const fileName = isUpload(params.document) ? params.document.filename : undefined;
        const document = { ...file, ...(fileName && { file_name: fileName }), ...(size !== undefined && { file_size: size }) };
        return this.botMessage(bot, chatId, { document, ...this.caption(params), ...inlineMarkup(params) });
      }
      case "getFile": {
        const fileId = optionalString(params, "file_id");
        if (!fileId || !bot.fileSizes.has(fileId)) throw badRequest("invalid file_id");
        return { file_id: fileId, file_unique_id: `u${fileId}`, file_size: bot.fileSizes.get(fileId) ?? 1_000, file_path: `photos/${fileId}.jpg` };
      }
      case "sendChatAction":
        chatIdOf(params);
        if (optionalString(params, "action") === undefined) throw badRequest("action is empty");
        return true;
      case "copyMessage": {
        const chatId = chatIdOf(params);
        const source = bot.messages.get(messageKey(integer(params, "from_chat_id"), integer(params, "message_id")));
        if (!source) throw badRequest("message to copy not found");
        const { text, entities, photo, document, contact, caption } = source;
        const content = { text, entities, photo, document, contact, caption, ...this.caption(params) };
        const copy = this.botMessage(bot, chatId, { ...withoutUndefined(content), ...inlineMarkup(params) });
        return { message_id: copy.message_id };
      }
      case "editMessageText":
      case "editMessageCaption":
      case "editMessageReplyMarkup":
        return this.editMessage(bot, method, params);
      case "deleteMessage": {
        const key = messageKey(chatIdOf(params), integer(params, "message_id"));
        if (!bot.messages.delete(key)) throw badRequest("message to delete not found");
        return true;
      }
      case "answerCallbackQuery": {
        const id = optionalString(params, "callback_query_id");
        if (id === undefined || !bot.callbackQueryIds.has(id)) throw badRequest("query is too old and response timeout expired or query ID is invalid");
        const text = optionalString(params, "text");
        if (text !== undefined && text.length > 200) throw badRequest("MESSAGE_TOO_LONG");
        return true;
      }
      default:
        return true;
    }
  }

  private editMessage(bot: BotState, method: string, params: Params): Message | true {
    if (params.inline_message_id !== undefined) return true;
    const key = messageKey(chatIdOf(params), integer(params, "message_id"));
    const message = bot.messages.get(key);
    if (!message) throw badRequest("message to edit not found");
    if (message.from?.id !== bot.info.id) throw badRequest("message can't be edited");
    // Telegram drops an inline keyboard an edit does not repeat (except an edit of the keyboard itself, which sets it).
    const edited: Message = { ...message, edit_date: nowSeconds() };
    delete edited.reply_markup;
    Object.assign(edited, inlineMarkup(params));
    if (method === "editMessageText") {
      const text = messageText(params, "text");
      if (text === undefined || text.trim() === "") throw badRequest("message text is empty");
      if (text.length > 4096) throw badRequest("MESSAGE_TOO_LONG");
      if (message.text === undefined) throw badRequest("there is no text in the message to edit");
      edited.text = text;
    } else if (method === "editMessageCaption") {
      if (message.photo === undefined && message.document === undefined) throw badRequest("there is no caption in the message to edit");
      delete edited.caption;
      Object.assign(edited, this.caption(params));
    }
    const same = edited.text === message.text && edited.caption === message.caption && jsonEqual(edited.reply_markup, message.reply_markup);
    if (same) {
      throw badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message");
    }
    bot.messages.set(key, edited);
    return edited;
  }

  // === getUpdates

  private getUpdates(bot: BotState, call: RecordedCall, res: ServerResponse, answer: Poll["answer"]): void {
    this.notify(bot, call); // a poll that is held still shows that the bot is polling
    // Like Telegram, a second poll ends the one still waiting.
    if (bot.poll) void this.finishPoll(bot, bot.poll, conflict, 409);
    const offset = optionalInteger(call.params, "offset") ?? 0;
    const limit = Math.min(100, Math.max(1, optionalInteger(call.params, "limit") ?? 100));
    const timeout = Math.max(0, optionalInteger(call.params, "timeout") ?? 0);
    this.confirm(bot, offset);
    const updates = this.takeUpdates(bot, limit);
    if (updates.length > 0 || timeout === 0 || this.stopping) {
      call.result = updates;
      this.notify(bot, call);
      void answer({ ok: true, result: updates });
      return;
    }
    const poll: Poll = { call, limit, answer, timer: setTimeout(() => void this.finishPoll(bot, poll, { ok: true, result: [] }), timeout * 1000) };
    bot.poll = poll;
    res.on("close", () => {
      if (bot.poll !== poll) return;
      clearTimeout(poll.timer);
      bot.poll = undefined;
    });
  }

  private finishPoll(bot: BotState, poll: Poll, body: { ok: true; result: Update[] } | ApiError, status = 200): Promise<void> {
    clearTimeout(poll.timer);
    if (bot.poll === poll) bot.poll = undefined;
    if ("ok" in body) poll.call.result = body.result;
    else poll.call.failed = body.error_code;
    this.notify(bot, poll.call);
    return poll.answer("ok" in body ? body : { ok: false, ...body }, status);
  }

  /** Answers a held poll if there is now something to deliver. */
  private wake(bot: BotState): void {
    const poll = bot.poll;
    if (!poll) return;
    const updates = this.takeUpdates(bot, poll.limit);
    if (updates.length > 0) void this.finishPoll(bot, poll, { ok: true, result: updates });
  }

  /** `offset` confirms every update before it; a negative one keeps only the last `-offset` updates. */
  private confirm(bot: BotState, offset: number): void {
    if (offset < 0) {
      const fresh = bot.pending.filter((d) => !d.redelivery);
      const keep = new Set(fresh.slice(offset));
      remove(bot.pending, (d) => d.redelivery || !keep.has(d));
      return;
    }
    if (offset === 0) return;
    bot.confirmedOffset = Math.max(bot.confirmedOffset, offset);
    remove(bot.pending, (d) => d.update.update_id < offset && (!d.redelivery || d.handedOut));
  }

  /**
   * Redeliveries first, then new updates by id. grammY takes the last id of a batch + 1 as its next offset, so this order
   * never confirms a new update that was not in the batch.
   */
  private takeUpdates(bot: BotState, limit: number): Update[] {
    const redeliveries = bot.pending.filter((d) => d.redelivery);
    const fresh = bot.pending.filter((d) => !d.redelivery).sort((a, b) => a.update.update_id - b.update.update_id);
    const batch = [...redeliveries, ...fresh].slice(0, limit);
    for (const d of batch) d.handedOut = true;
    return batch.map((d) => d.update);
  }

  // === Helpers

  private bot(token: string): BotState {
    const bot = this.bots.get(token);
    if (!bot) throw new Error(`fake Bot API: no bot with token ${token}; call addBot first`);
    return bot;
  }

  private notify(bot: BotState, call: RecordedCall): void {
    for (const waiter of [...bot.waiters]) waiter.check(call);
  }

  private describe(bot: BotState): string {
    const polls = bot.calls.filter((c) => c.method === "getUpdates").length;
    const recent = bot.calls.filter((c) => c.method !== "getUpdates").slice(-15);
    const lines = recent.map((c) => {
      const params = JSON.stringify(c.params);
      const status = c.failed === undefined ? "" : ` → ${c.failed}`;
      return `  ${new Date(c.at).toISOString().slice(11, 23)} ${c.method}${status} ${params.length > 300 ? `${params.slice(0, 300)}…` : params}`;
    });
    const unfetched = bot.pending.filter((d) => !d.handedOut).length;
    return [
      `@${bot.info.username}: ${polls} getUpdates calls, ${unfetched} updates not fetched yet, last ${recent.length} other calls:`,
      ...(lines.length > 0 ? lines : ["  (none)"]),
    ].join("\n");
  }

  private getMe(bot: BotState): UserFromGetMe {
    return {
      ...this.botUser(bot),
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
    };
  }

  /** The bot as the author of its messages. */
  private botUser(bot: BotState) {
    return { id: bot.info.id, is_bot: true as const, first_name: bot.info.first_name ?? bot.info.username, username: bot.info.username };
  }

  private rememberUser(bot: BotState, user: FakeUser): void {
    bot.users.set(user.id, { ...bot.users.get(user.id), ...user });
  }

  private nextMessageId(bot: BotState, chatId: number): number {
    const id = (bot.lastMessageId.get(chatId) ?? 0) + 1;
    bot.lastMessageId.set(chatId, id);
    return id;
  }

  private chat(bot: BotState, chatId: number): Message["chat"] {
    const user = bot.users.get(chatId);
    return {
      id: chatId,
      type: "private",
      first_name: user ? firstName(user) : `User ${chatId}`,
      ...(user?.last_name && { last_name: user.last_name }),
      ...(user?.username && { username: user.username }),
    };
  }

  private pushMessage(token: string, from: FakeUser, content: Partial<Message>): number {
    const bot = this.bot(token);
    this.rememberUser(bot, from);
    const message = {
      message_id: this.nextMessageId(bot, from.id),
      date: nowSeconds(),
      chat: this.chat(bot, from.id),
      from: userOf(from),
      ...content,
    } as NonNullable<Update["message"]>;
    bot.messages.set(messageKey(from.id, message.message_id), message);
    return this.pushUpdate(token, { message });
  }

  private botMessage(bot: BotState, chatId: number, content: Partial<Message>): Message {
    const message = { message_id: this.nextMessageId(bot, chatId), date: nowSeconds(), chat: this.chat(bot, chatId), from: this.botUser(bot), ...content } as Message;
    bot.messages.set(messageKey(chatId, message.message_id), message);
    return message;
  }

  private newFile(bot: BotState, size: number | undefined): { file_id: string; file_unique_id: string } {
    const n = this.nextFileId++;
    const file = { file_id: `fake-file-${n}-${bot.info.id}`, file_unique_id: `fake-unique-${n}` };
    bot.fileSizes.set(file.file_id, size);
    return file;
  }

  private photoSize(bot: BotState, side: number, size: number | undefined): PhotoSize {
    return { ...this.newFile(bot, size), width: side, height: side, ...(size !== undefined && { file_size: size }) };
  }

  /**
   * The byte size of an upload, or of a file sent before by id; undefined for a URL. File ids belong to one bot,
   * as on Telegram: another bot's id (or an unknown one) is refused.
   */
  private fileSize(bot: BotState, value: unknown, field: string): number | undefined {
    if (isUpload(value)) return value.size;
    if (typeof value !== "string" || value === "") throw badRequest(`there is no ${field} in the request`);
    if (/^https?:\/\//.test(value)) return undefined;
    if (!bot.fileSizes.has(value)) throw badRequest("wrong file identifier/HTTP URL specified");
    return bot.fileSizes.get(value);
  }

  private caption(params: Params): { caption?: string } {
    const caption = messageText(params, "caption");
    if (caption === undefined) return {};
    if (caption.length > 1024) throw badRequest("message caption is too long");
    return { caption };
  }
}

const conflict: ApiError = { error_code: 409, description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running" };

function canonicalMethod(name: string): string {
  const known = [
    "getUpdates", "getMe", "logOut", "close", "deleteWebhook", "setWebhook", "getWebhookInfo", "setMyCommands", "getMyCommands", "deleteMyCommands",
    "setMyDescription", "getMyDescription", "setMyShortDescription", "getMyShortDescription", "sendMessage", "sendPhoto", "sendDocument",
    "sendChatAction", "copyMessage", "editMessageText", "editMessageCaption", "editMessageReplyMarkup", "deleteMessage", "answerCallbackQuery",
  ];
  return known.find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const messageKey = (chatId: number, messageId: number) => `${chatId}:${messageId}`;
const firstName = (user: FakeUser) => user.first_name ?? `User ${user.id}`;
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isUpload = (value: unknown): value is UploadedFile => isRecord(value) && typeof value.filename === "string" && typeof value.size === "number";
const isMessage = (value: unknown): value is Message => isRecord(value) && typeof value.message_id === "number" && isRecord(value.chat);
const jsonEqual = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const withoutUndefined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

function userOf(user: FakeUser) {
  return { ...user, is_bot: false as const, first_name: firstName(user) };
}

function hasButton(message: Message, data: string): boolean {
  return (message.reply_markup?.inline_keyboard ?? []).some((row) => row.some((b) => "callback_data" in b && b.callback_data === data));
}

function remove<T>(items: T[], predicate: (item: T) => boolean): void {
  for (let i = items.length - 1; i >= 0; i--) if (predicate(items[i]!)) items.splice(i, 1);
}

function scopeKey(params: Params): string {
  return `${JSON.stringify(params.scope ?? { type: "default" })}|${optionalString(params, "language_code") ?? ""}`;
}

/** Telegram echoes an inline keyboard in the sent message; other keyboards act on the client and are not echoed. */
function inlineMarkup(params: Params): { reply_markup?: InlineKeyboardMarkup } {
  const markup = params.reply_markup;
  if (markup === undefined) return {};
  if (!isRecord(markup)) throw badRequest("can't parse reply keyboard markup JSON object");
  if (!("inline_keyboard" in markup)) return {};
  if (!isInlineKeyboard(markup)) {
    throw badRequest("can't parse inline keyboard button: \"inline_keyboard\" must be an array of arrays of buttons with a text");
  }
  for (const button of markup.inline_keyboard.flat()) {
    const data: unknown = "callback_data" in button ? button.callback_data : undefined;
    if (data !== undefined && (typeof data !== "string" || data.length < 1 || Buffer.byteLength(data) > 64)) throw badRequest("BUTTON_DATA_INVALID");
  }
  return { reply_markup: markup };
}

function isInlineKeyboard(markup: Record<string, unknown>): markup is InlineKeyboardMarkup & Record<string, unknown> {
  const rows = markup.inline_keyboard;
  return Array.isArray(rows) && rows.every((row) => Array.isArray(row) && row.every((b) => isRecord(b) && typeof b.text === "string"));
}

/** A text or caption as the user will see it: with `parse_mode: "HTML"` the tags are gone and entities decoded. */
function messageText(params: Params, field: "text" | "caption"): string | undefined {
  const raw = params[field];
  if (raw === undefined) return undefined;
  if (typeof raw !== "string") throw badRequest(`${field} must be a string`);
  if (params.parse_mode !== "HTML") return raw;
  if (/<(?!\/?(b|strong|i|em|u|ins|s|strike|del|a|code|pre|span|tg-spoiler|tg-emoji|blockquote)\b)[^>]*>/i.test(raw)) {
    throw badRequest("can't parse entities: unsupported start tag");
  }
  return raw
    .replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

function chatIdOf(params: Params): number {
  const id = params.chat_id;
  if (id === undefined || id === "") throw badRequest("chat_id is empty");
  const n = typeof id === "number" ? id : typeof id === "string" && /^-?\d+$/.test(id) ? Number(id) : NaN;
  if (!Number.isSafeInteger(n)) throw badRequest("chat not found");
  return n;
}

function optionalInteger(params: Params, name: string): number | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  const n = typeof value === "number" ? value : typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw badRequest(`field "${name}" must be an integer`);
  return n;
}

function integer(params: Params, name: string): number {
  const n = optionalInteger(params, name);
  if (n === undefined) throw badRequest(`${name} is empty`);
  return n;
}

function optionalString(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw badRequest(`field "${name}" must be a string`);
  return value;
}

// === Request bodies

/** The whole body, or undefined if it is larger than Telegram would take. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= maxBodyBytes) chunks.push(chunk);
  }
  return size <= maxBodyBytes ? Buffer.concat(chunks) : undefined;
}

/** Query string and body (JSON, urlencoded or multipart) merged, decoded the way Telegram decodes them. */
function parseParams(contentType: string | undefined, url: URL, body: Buffer): Params {
  const params: Params = {};
  for (const [name, value] of url.searchParams) params[name] = decodeField(name, value);
  if (body.length === 0) return params;
  const [mime = "", ...attributes] = (contentType ?? "").split(";").map((s) => s.trim());
  switch (mime.toLowerCase()) {
    case "application/json": {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString("utf8"));
      } catch (err) {
        throw badRequest(`can't parse JSON body: ${(err as Error).message}`);
      }
      if (!isRecord(parsed)) throw badRequest("the JSON body must be an object");
      return Object.assign(params, parsed);
    }
    case "application/x-www-form-urlencoded":
      for (const [name, value] of new URLSearchParams(body.toString("utf8"))) params[name] = decodeField(name, value);
      return params;
    case "multipart/form-data": {
      const boundary = attributes.find((a) => /^boundary=/i.test(a))?.slice("boundary=".length).replace(/^"(.*)"$/, "$1");
      if (!boundary) throw badRequest("multipart/form-data without a boundary");
      return Object.assign(params, parseMultipart(body, boundary));
    }
    default:
      throw badRequest(`unsupported content type ${JSON.stringify(contentType ?? "")}`);
  }
}

function decodeField(name: string, value: string): unknown {
  if (jsonFields.has(name)) {
    try {
      return JSON.parse(value);
    } catch {
      throw badRequest(`can't parse ${name} JSON object`);
    }
  }
  if (integerFields.has(name) && /^-?\d+$/.test(value)) return Number(value);
  if (booleanFields.has(name) && (value === "true" || value === "false")) return value === "true";
  return value;
}

/**
 * A small multipart/form-data parser. Node's own (`Request.formData()`) rejects what grammY sends: grammY writes part
 * headers as `content-disposition:form-data;name="x";filename=qr.png`, without spaces and with an unquoted filename.
 * Fields are decoded like form fields; a file part becomes `{ filename, size }` wherever a field names it as `attach://<part>`,
 * or under its own name when nothing does.
 */
function parseMultipart(body: Buffer, boundary: string): Params {
  const delimiter = Buffer.from(`--${boundary}`);
  const nextDelimiter = Buffer.from(`\r\n--${boundary}`);
  const fields: Params = {};
  const files = new Map<string, UploadedFile>();
  let position = body.indexOf(delimiter);
  if (position < 0) throw badRequest("multipart body without its boundary");
  for (;;) {
    let start = position + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    if (body.subarray(start, start + 2).toString() === "\r\n") start += 2;
    const end = body.indexOf(nextDelimiter, start);
    if (end < 0) throw badRequest("multipart body is not terminated");
    const part = body.subarray(start, end);
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd < 0) throw badRequest("multipart part without headers");
    const headers = part.subarray(0, headerEnd).toString("utf8");
    const content = part.subarray(headerEnd + 4);
    const disposition = /^content-disposition\s*:(.*)$/im.exec(headers)?.[1] ?? "";
    const name = dispositionParam(disposition, "name");
    if (name === undefined) throw badRequest("multipart part without a name");
    const filename = dispositionParam(disposition, "filename");
    if (filename !== undefined) files.set(name, { filename, size: content.length });
    else fields[name] = decodeField(name, content.toString("utf8"));
    position = end + 2;
  }
  const referenced = new Set<string>();
  const attach = (value: unknown): unknown => {
    if (typeof value === "string" && value.startsWith("attach://")) {
      const file = files.get(value.slice("attach://".length));
      if (!file) throw badRequest(`no file part for ${value}`);
      referenced.add(value.slice("attach://".length));
      return file;
    }
    if (Array.isArray(value)) return value.map(attach);
    if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, attach(v)]));
    return value;
  };
  const params: Params = {};
  for (const [name, value] of Object.entries(fields)) params[name] = attach(value);
  for (const [name, file] of files) if (!referenced.has(name)) params[name] = file;
  return params;
}

function dispositionParam(disposition: string, name: string): string | undefined {
  const match = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;]*))`, "i").exec(disposition);
  if (!match) return undefined;
  return match[1] ?? match[2]?.trim();
}
