import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync, ftruncateSync, existsSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { dirname, join } from "node:path";
import type { BotCommand, InlineKeyboardMarkup, KeyboardButton, Message, PhotoSize, ReplyKeyboardMarkup, Update, UserFromGetMe } from "grammy/types";

/**
 * A local Telegram Bot API server: real HTTP, so the product's bots run unchanged against it (`TELEGRAM_API_ROOT=api.url`)
 * and the whole stack — grammY's client, auto-retry, the runner's long polling — is exercised. The sandbox uses it in place
 * of Telegram (the web chat reads and writes chats through it); tests use it as a fake Telegram.
 *
 * It behaves like Telegram where the bots could notice: unknown tokens get 401, updates are numbered per bot and dropped
 * once confirmed by `offset`, `getUpdates` long-polls (and a second concurrent poll ends the first with 409), message ids
 * count per chat, editing a message to the same content fails with "message is not modified", errors carry `error_code`
 * as the HTTP status, files a bot uploaded can be fetched back with getFile and `/file/bot<token>/<file_path>`.
 * Every call is recorded with its parsed parameters and arrival time; failures can be injected.
 * With a webhook set (`setWebhook`, as the product does when WEBHOOK_URL is set) updates are POSTed to it instead, one at a
 * time per bot in update_id order, retried after a short pause until the webhook answers 2xx, and `getUpdates` answers 409.
 * It never throws on a bad request: it answers 400 with a description.
 *
 * With a journal ({@link LocalBotApi.start}) every change that matters after a restart is appended to it before the change
 * is answered, so a restarted sandbox shows the same chats and delivers again an update the bot got but did not confirm.
 */

export type BotInfo = { id: number; username: string; first_name?: string };
/** The Telegram user on the other side of a private chat. `first_name` defaults to "User <id>". */
export type BotApiUser = { id: number; first_name?: string; last_name?: string; username?: string; language_code?: string };
/** The name the tests know it by. */
export type FakeUser = BotApiUser;
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
/** A message the bot sent or edited in a chat, as listed by {@link LocalBotApi.messagesTo}. */
export type ChatMessage = { method: string; message_id: number; text?: string; caption?: string; reply_markup?: unknown; at: number };
export type NewUpdate = Omit<Update, "update_id"> & { update_id?: number };
/** One POST of an update to a bot's webhook, as listed by {@link LocalBotApi.webhookDeliveries}. */
export type WebhookDelivery = {
  updateId: number;
  /** When the POST was sent, ms since the epoch. */
  at: number;
  /** How long the webhook took to answer (or to fail). */
  durationMs: number;
  /** The HTTP status it answered; unset when the request failed (`error`). */
  status?: number;
  error?: string;
};
/** A chat a bot has messages in (private chats only: the chat id is the user's id). */
export type ChatSummary = { chatId: number; user: BotApiUser | undefined; messageCount: number; lastDate: number };

/** What a chat's client would show changing; see {@link LocalBotApi.onChange}. */
export type BotApiEvent =
  /** A message appeared or was edited (`edited`); `fromBot` tells the bot's own from the user's. `html`: the source when the bot used parse_mode HTML. */
  | { type: "message"; token: string; chatId: number; message: Message; fromBot: boolean; edited: boolean; html?: string }
  | { type: "deleted"; token: string; chatId: number; messageId: number }
  /** The bot answered a button press (a toast, or an alert with `showAlert`). */
  | { type: "callback-answer"; token: string; chatId: number; text?: string; showAlert?: boolean }
  /** The reply keyboard under the chat's input changed (a bot sent one, removed it, or a one-time one was used). */
  | { type: "keyboard"; token: string; chatId: number; markup: ReplyKeyboardMarkup | null };

export type LocalBotApiOptions = {
  /** Append-only JSON-lines journal; replayed at start. Without it, nothing outlives the process. */
  journalPath?: string;
  /** 0 (the default): any free port. */
  port?: number;
  host?: string;
  /**
   * Keep every call for `calls()`/`waitFor` (tests; the default). The sandbox turns it off: it runs for days, and the
   * record of every long poll and upload would only grow.
   */
  recordCalls?: boolean;
};

export const tooManyRequests = (retryAfter: number): ApiError => ({
  error_code: 429,
  description: `Too Many Requests: retry after ${retryAfter}`,
  parameters: { retry_after: retryAfter },
});
export const blockedByUser: ApiError = { error_code: 403, description: "Forbidden: bot was blocked by the user" };

const maxBodyBytes = 50 * 1024 * 1024;
/** Methods whose successful calls {@link LocalBotApi.messagesTo} lists. */
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
/** A bot's webhook as `setWebhook` gave it. */
type Webhook = { url: string; secretToken: string | undefined; allowedUpdates: string[] | undefined; maxConnections: number | undefined };
type Poll = { call: RecordedCall; limit: number; timer: NodeJS.Timeout; answer: (body: object, status?: number) => Promise<void> };
type Waiter = { check: (call: RecordedCall) => void; cancel: (reason: string) => void };
type Params = Record<string, unknown>;
/**
 * A file Telegram holds for a bot. `bytes` are kept for uploads (and files sent again by id); a file the user sent in a
 * test has only a size. `stored`: its name in the journal's files folder, when it was written there.
 */
type StoredFile = { size: number | undefined; path: string; bytes?: Buffer; stored?: string };
/** Where a sent file comes from: an upload, a file id sent before, or a URL. */
type FileSource = { size: number | undefined; bytes?: Buffer; stored?: string };

/** One line of the journal. Each names the bot by token; replay applies them in order. */
type JournalRecord =
  | { k: "bot"; token: string; info: BotInfo }
  | { k: "update"; token: string; update: Update }
  /** An offset from getUpdates that changed what is pending (a positive one confirming, or a negative one trimming). */
  | { k: "offset"; token: string; offset: number }
  | { k: "message"; token: string; message: Message; html?: string }
  | { k: "deleted"; token: string; chatId: number; messageId: number }
  | { k: "user"; token: string; user: BotApiUser }
  | { k: "file"; token: string; fileId: string; size?: number; path: string; stored?: string }
  | { k: "commands"; token: string; key: string; commands: BotCommand[] | null }
  | { k: "description"; token: string; key: string; text: string }
  | { k: "keyboard"; token: string; chatId: number; markup: ReplyKeyboardMarkup | null };

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
  readonly users = new Map<number, BotApiUser>();
  readonly lastMessageId = new Map<number, number>();
  /** Every message in every chat, the bot's and the users', keyed `chat:message`, in their latest (edited) form. */
  readonly messages = new Map<string, Message>();
  /** The HTML a message's text or caption was sent as (parse_mode HTML), keyed like `messages`. */
  readonly htmlSources = new Map<string, string>();
  /** Callback query id → the chat the button was pressed in. */
  readonly callbackQueries = new Map<string, number>();
  readonly files = new Map<string, StoredFile>();
  /** Commands per {@link scopeKey}. */
  readonly commands = new Map<string, BotCommand[]>();
  readonly descriptions = new Map<string, string>();
  /** The reply keyboard each chat's client shows under its input. */
  readonly keyboards = new Map<number, ReplyKeyboardMarkup>();
  /** Set by `setWebhook` (not journaled: the sandbox polls). */
  webhook: Webhook | undefined;
  /** The delivery loop posting to the webhook, while it runs. */
  delivering: Promise<void> | undefined;
  /** Aborts the POST in progress (on deleteWebhook or stop). */
  deliveryAbort: AbortController | undefined;
  lastWebhookError: { date: number; message: string } | undefined;
  readonly deliveries: WebhookDelivery[] = [];

  constructor(
    readonly token: string,
    public info: BotInfo,
  ) {}
}

/** Keeps {@link uploaded} files' bytes out of the recorded call parameters (which list uploads as `{ filename, size }`). */
const uploadBytes = new WeakMap<UploadedFile, Buffer>();

export class LocalBotApi {
  private readonly bots = new Map<string, BotState>();
  private stopping: Promise<void> | undefined;
  private unreachable = false;
  private readonly sockets = new Set<Socket>();
  private readonly listeners = new Set<(event: BotApiEvent) => void>();
  private nextFileId = 1;
  private nextCallbackQueryId = 1;
  /** The journal's file descriptor, open from start to stop when there is one. */
  private journalFd: number | undefined;
  /** A record's write failed part-way: the next one starts on a new line, so only the failed one is lost. */
  private journalLineOpen = false;
  /** Damaged journal lines skipped at start (see openJournal). */
  skippedJournalLines = 0;
  /** Where uploaded files' bytes are written, next to the journal. */
  private filesDir: string | undefined;

  private constructor(
    private readonly server: Server,
    /** The API root to give grammY (`client.apiRoot`) or the product (`TELEGRAM_API_ROOT`). */
    readonly url: string,
    private readonly recordCalls: boolean,
  ) {}

  /** Listens on `host` (127.0.0.1) and `port` (any free one); with a journal, replays it first. */
  static async start(options: LocalBotApiOptions = {}): Promise<LocalBotApi> {
    const host = options.host ?? "127.0.0.1";
    let api: LocalBotApi | undefined;
    const server = createServer((req, res) => void api?.serve(req, res));
    server.on("connection", (socket) => (api ? api.accept(socket) : socket.destroy()));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    api = new LocalBotApi(server, `http://${host.includes(":") ? `[${host}]` : host}:${port}`, options.recordCalls ?? true);
    if (options.journalPath !== undefined) {
      try {
        api.openJournal(options.journalPath);
      } catch (err) {
        await api.stop();
        throw err;
      }
    }
    return api;
  }

  /** Answers held long polls with no updates, fails pending `waitFor`s, closes every connection and the journal. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const answers: Promise<void>[] = [];
      for (const bot of this.bots.values()) {
        const poll = bot.poll;
        if (poll) answers.push(this.finishPoll(bot, poll, { ok: true, result: [] }));
        for (const waiter of bot.waiters) waiter.cancel("the fake Bot API was stopped");
        bot.deliveryAbort?.abort();
        if (bot.delivering) answers.push(bot.delivering);
      }
      await Promise.all(answers);
      await new Promise<void>((resolve) => {
        this.server.close(() => resolve());
        this.server.closeAllConnections();
      });
      if (this.journalFd !== undefined) closeSync(this.journalFd);
      this.journalFd = undefined;
      this.listeners.clear();
    })();
    return this.stopping;
  }

  /** Registers a bot; requests with any other token are answered 401 Unauthorized. */
  addBot(token: string, info: BotInfo): void {
    const bot = this.bots.get(token);
    if (bot && jsonEqual(bot.info, info)) return;
    if (bot) bot.info = info;
    else this.bots.set(token, new BotState(token, info));
    this.record({ k: "bot", token, info });
  }

  /**
   * Calls `listener` for every change a chat's client would show: messages sent, edited or deleted (the bot's and the
   * users'), answers to button presses, reply keyboards. Returns the function that unsubscribes it.
   */
  onChange(listener: (event: BotApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  // === Updates

  /** Queues an update for the bot's `getUpdates`; numbers it (per bot, from 1) unless it has an `update_id`. */
  pushUpdate(token: string, update: NewUpdate): number {
    const bot = this.bot(token);
    const id = update.update_id ?? bot.nextUpdateId;
    if (!Number.isSafeInteger(id) || id < 1) throw new Error(`pushUpdate: update_id must be a positive integer, got ${id}`);
    const full = { ...update, update_id: id } as Update;
    this.record({ k: "update", token, update: full });
    addUpdate(bot, full);
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
  sendText(token: string, from: BotApiUser, text: string, extra: Partial<Message> = {}): number {
    const command = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
    const entities = command ? [{ type: "bot_command" as const, offset: 0, length: command[0].length }] : undefined;
    return this.pushMessage(token, from, { text, ...(entities && { entities }), ...extra });
  }

  /** The user shares their own contact (the "share my phone" button). */
  sendContact(token: string, from: BotApiUser, phone: string): number {
    const contact = { phone_number: phone, first_name: firstName(from), ...(from.last_name && { last_name: from.last_name }), user_id: from.id };
    return this.pushMessage(token, from, { contact });
  }

  /** The user sends a photo (two sizes, as Telegram gives them). */
  sendPhotoMessage(token: string, from: BotApiUser, extra: Partial<Message> = {}): number {
    const bot = this.bot(token);
    const photo = [this.photoSize(bot, 90, { size: 1_200 }), this.photoSize(bot, 800, { size: 48_000 })];
    return this.pushMessage(token, from, { photo, ...extra });
  }

  /**
   * The user presses an inline button with callback data `data`. `message` names the bot's message the button is on;
   * without it, the newest bot message in the user's chat with a button carrying `data` is used, if any.
   */
  pressButton(token: string, from: BotApiUser, data: string, message?: { message_id: number; chat_id: number }): number {
    const bot = this.bot(token);
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
    this.rememberUser(bot, from);
    const id = `${Date.now()}${String(this.nextCallbackQueryId++).padStart(6, "0")}`;
    const chatInstance = String(onMessage?.chat.id ?? from.id);
    return this.pushUpdate(token, { callback_query: { id, from: userOf(from), chat_instance: chatInstance, data, ...(onMessage && { message: onMessage }) } });
  }

  /** The highest `offset` the bot has confirmed with `getUpdates`. */
  confirmedOffset(token: string): number {
    return this.bot(token).confirmedOffset;
  }

  /** Every POST to the bot's webhook so far, oldest first (retries included). */
  webhookDeliveries(token: string): WebhookDelivery[] {
    return [...this.bot(token).deliveries];
  }

  // === What the chats show

  /** The bot's private chats that have messages, most recently active first. */
  chats(token: string): ChatSummary[] {
    const bot = this.bot(token);
    const byChat = new Map<number, ChatSummary>();
    for (const message of bot.messages.values()) {
      const chatId = message.chat.id;
      const summary = byChat.get(chatId) ?? { chatId, user: bot.users.get(chatId), messageCount: 0, lastDate: 0 };
      summary.messageCount++;
      summary.lastDate = Math.max(summary.lastDate, message.date);
      byChat.set(chatId, summary);
    }
    return [...byChat.values()].sort((a, b) => b.lastDate - a.lastDate || a.chatId - b.chatId);
  }

  /** Every message in the chat, the bot's and the user's, oldest first, each in its latest (edited) form. */
  chatMessages(token: string, chatId: number): Message[] {
    return [...this.bot(token).messages.values()].filter((m) => m.chat.id === chatId).sort((a, b) => a.message_id - b.message_id);
  }

  /** The HTML the bot sent a message's text or caption as, when it used parse_mode HTML. */
  messageHtml(token: string, chatId: number, messageId: number): string | undefined {
    return this.bot(token).htmlSources.get(messageKey(chatId, messageId));
  }

  /** The reply keyboard the chat shows under its input, or null. */
  replyKeyboard(token: string, chatId: number): ReplyKeyboardMarkup | null {
    return this.bot(token).keyboards.get(chatId) ?? null;
  }

  /**
   * The command menu the chat's client shows, resolved as Telegram does for a private chat: scope chat, then all private
   * chats, then default; within a scope the user's language before no language.
   */
  commandsFor(token: string, chatId: number, languageCode?: string): BotCommand[] {
    const bot = this.bot(token);
    // The user's app language: known once they wrote; before that, as the caller says (the app knows its own).
    const language = bot.users.get(chatId)?.language_code ?? languageCode;
    const scopes = [{ type: "chat", chat_id: chatId }, { type: "all_private_chats" }, { type: "default" }];
    for (const scope of scopes) {
      for (const languageCode of language ? [language, undefined] : [undefined]) {
        const commands = bot.commands.get(scopeKey({ scope, ...(languageCode && { language_code: languageCode }) }));
        if (commands && commands.length > 0) return [...commands];
      }
    }
    return [];
  }

  /** The bytes of a file a bot uploaded (or sent again by id), whichever bot holds it; undefined if none are kept. */
  fileBytes(fileId: string): Buffer | undefined {
    for (const bot of this.bots.values()) {
      const file = bot.files.get(fileId);
      if (file) return this.bytesOf(file);
    }
    return undefined;
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
      if (this.stopping) return reject(Object.assign(error, { message: "waitFor: the Bot API is stopped" }));
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
      // A file download, after getFile: the file's bytes (a file a user sent in a test has none: filler bytes of its size).
      const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
      if (download) {
        const owner = this.bots.get(download[1]!);
        const file = owner && [...owner.files.values()].find((f) => f.path === download[2]);
        if (!file) return void (await fail({ error_code: 404, description: "Not Found" }));
        const bytes = this.bytesOf(file) ?? Buffer.alloc(file.size ?? 1_000, 0x42);
        res.writeHead(200, { "content-type": sniffContentType(bytes, "image/jpeg"), "content-length": bytes.length });
        return void res.end(bytes);
      }
      const route = /^\/bot([^/]+)\/([A-Za-z0-9_]+)\/?$/.exec(url.pathname);
      if (!route) return void (await fail({ error_code: 404, description: "Not Found" }));
      const bot = this.bots.get(route[1]!);
      if (!bot) return void (await fail({ error_code: 401, description: "Unauthorized" }));
      const method = canonicalMethod(route[2]!);
      const call: RecordedCall = { method, params: {}, at };
      if (this.recordCalls) bot.calls.push(call);
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
      // A bug in the server itself: answer rather than crash the process, and say so loudly.
      console.error("local Bot API: internal error", err);
      await fail({ error_code: 500, description: `Internal Server Error: local Bot API: ${String(err)}` });
    }
  }

  private dispatch(bot: BotState, method: string, params: Params): unknown {
    switch (method) {
      case "getMe":
        return this.getMe(bot);
      case "logOut":
      case "close":
        return true;
      case "deleteWebhook":
      case "setWebhook": {
        // As on Telegram, `drop_pending_updates` confirms every update not yet confirmed.
        if (params.drop_pending_updates === true && bot.nextUpdateId > bot.confirmedOffset) {
          this.record({ k: "offset", token: bot.token, offset: bot.nextUpdateId });
          confirm(bot, bot.nextUpdateId);
        }
        const url = method === "setWebhook" ? (optionalString(params, "url") ?? "") : "";
        // setWebhook with an empty url removes the webhook, like deleteWebhook.
        this.setWebhook(bot, url === "" ? undefined : webhookOf(url, params));
        return true;
      }
      case "getWebhookInfo":
        return {
          url: bot.webhook?.url ?? "",
          has_custom_certificate: false,
          pending_update_count: bot.pending.length,
          ...(bot.webhook?.allowedUpdates && { allowed_updates: bot.webhook.allowedUpdates }),
          ...(bot.webhook?.maxConnections !== undefined && { max_connections: bot.webhook.maxConnections }),
          ...(bot.lastWebhookError && { last_error_date: bot.lastWebhookError.date, last_error_message: bot.lastWebhookError.message }),
        };
      case "setMyCommands": {
        const commands = params.commands;
        const valid = (c: unknown): c is BotCommand => isRecord(c) && typeof c.command === "string" && typeof c.description === "string";
        if (!Array.isArray(commands) || !commands.every(valid)) throw badRequest("commands must be an array of {command, description}");
        for (const c of commands) {
          if (!/^[a-z0-9_]{1,32}$/.test(c.command)) throw badRequest(`BOT_COMMAND_INVALID: ${JSON.stringify(c.command)}`);
          if (c.description.length < 1 || c.description.length > 256) throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
        }
        const list = commands.map((c) => ({ command: c.command, description: c.description }));
        this.setCommands(bot, scopeKey(params), list);
        return true;
      }
      case "getMyCommands":
        return bot.commands.get(scopeKey(params)) ?? [];
      case "deleteMyCommands":
        this.setCommands(bot, scopeKey(params), null);
        return true;
      case "setMyDescription":
      case "setMyShortDescription": {
        const field = method === "setMyDescription" ? "description" : "short_description";
        const text = optionalString(params, field) ?? "";
        if (text.length > (field === "description" ? 512 : 120)) throw badRequest(`${field} is too long`);
        const key = `${field}|${optionalString(params, "language_code") ?? ""}`;
        this.record({ k: "description", token: bot.token, key, text });
        bot.descriptions.set(key, text);
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
        const keyboard = replyKeyboardChange(params);
        const message = this.botMessage(bot, chatId, { text, ...givenEntities(params, "entities"), ...inlineMarkup(params) }, htmlSource(params, "text"));
        this.changeKeyboard(bot, chatId, keyboard);
        return message;
      }
      case "sendPhoto": {
        const chatId = chatIdOf(params);
        const source = this.fileSource(bot, params.photo, "photo");
        const content = { ...this.caption(params), ...givenEntities(params, "caption_entities"), ...inlineMarkup(params) };
        const keyboard = replyKeyboardChange(params);
        const message = this.botMessage(bot, chatId, { photo: [this.photoSize(bot, 512, source)], ...content }, htmlSource(params, "caption"));
        this.changeKeyboard(bot, chatId, keyboard);
        return message;
      }
      case "sendDocument": {
        const chatId = chatIdOf(params);
        const source = this.fileSource(bot, params.document, "document");
        const content = { ...this.caption(params), ...givenEntities(params, "caption_entities"), ...inlineMarkup(params) };
        const keyboard = replyKeyboardChange(params);
        const file = this.newFile(bot, "documents", source);
        const fileName = isUpload(params.document) ? params.document.filename : undefined;
        const document = { ...file, ...(fileName && { file_name: fileName }), ...(source.size !== undefined && { file_size: source.size }) };
        const message = this.botMessage(bot, chatId, { document, ...content }, htmlSource(params, "caption"));
        this.changeKeyboard(bot, chatId, keyboard);
        return message;
      }
      case "getFile": {
        const fileId = optionalString(params, "file_id");
        const file = fileId === undefined ? undefined : bot.files.get(fileId);
        if (!fileId || !file) throw badRequest("invalid file_id");
        return { file_id: fileId, file_unique_id: `u${fileId}`, file_size: file.size ?? 1_000, file_path: file.path };
      }
      case "sendChatAction":
        chatIdOf(params);
        if (optionalString(params, "action") === undefined) throw badRequest("action is empty");
        return true;
      case "copyMessage": {
        const chatId = chatIdOf(params);
        const sourceKey = messageKey(integer(params, "from_chat_id"), integer(params, "message_id"));
        const source = bot.messages.get(sourceKey);
        if (!source) throw badRequest("message to copy not found");
        const { text, entities, photo, document, contact, caption } = source;
        const content = { text, entities, photo, document, contact, caption, ...this.caption(params) };
        const keyboard = replyKeyboardChange(params);
        const html = params.caption === undefined ? bot.htmlSources.get(sourceKey) : htmlSource(params, "caption");
        const copy = this.botMessage(bot, chatId, { ...withoutUndefined(content), ...inlineMarkup(params) }, html);
        this.changeKeyboard(bot, chatId, keyboard);
        return { message_id: copy.message_id };
      }
      case "editMessageText":
      case "editMessageCaption":
      case "editMessageReplyMarkup":
        return this.editMessage(bot, method, params);
      case "deleteMessage": {
        const chatId = chatIdOf(params);
        const messageId = integer(params, "message_id");
        if (!bot.messages.has(messageKey(chatId, messageId))) throw badRequest("message to delete not found");
        this.record({ k: "deleted", token: bot.token, chatId, messageId });
        this.forgetMessage(bot, chatId, messageId);
        this.emit({ type: "deleted", token: bot.token, chatId, messageId });
        return true;
      }
      case "answerCallbackQuery": {
        const id = optionalString(params, "callback_query_id");
        const chatId = id === undefined ? undefined : bot.callbackQueries.get(id);
        if (chatId === undefined) throw badRequest("query is too old and response timeout expired or query ID is invalid");
        const text = optionalString(params, "text");
        if (text !== undefined && text.length > 200) throw badRequest("MESSAGE_TOO_LONG");
        const showAlert = params.show_alert === true;
        this.emit({ type: "callback-answer", token: bot.token, chatId, ...(text && { text }), ...(showAlert && { showAlert }) });
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
    let html = bot.htmlSources.get(key);
    if (method === "editMessageText") {
      const text = messageText(params, "text");
      if (text === undefined || text.trim() === "") throw badRequest("message text is empty");
      if (text.length > 4096) throw badRequest("MESSAGE_TOO_LONG");
      if (message.text === undefined) throw badRequest("there is no text in the message to edit");
      edited.text = text;
      delete edited.entities;
      Object.assign(edited, givenEntities(params, "entities"));
      html = htmlSource(params, "text");
    } else if (method === "editMessageCaption") {
      if (message.photo === undefined && message.document === undefined) throw badRequest("there is no caption in the message to edit");
      delete edited.caption;
      delete edited.caption_entities;
      Object.assign(edited, this.caption(params), givenEntities(params, "caption_entities"));
      html = htmlSource(params, "caption");
    }
    const same = edited.text === message.text && edited.caption === message.caption && jsonEqual(edited.reply_markup, message.reply_markup);
    if (same) {
      throw badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message");
    }
    this.storeMessage(bot, edited, html, true);
    return edited;
  }

  // === getUpdates

  private getUpdates(bot: BotState, call: RecordedCall, res: ServerResponse, answer: Poll["answer"]): void {
    if (bot.webhook) {
      call.failed = webhookConflict.error_code;
      this.notify(bot, call);
      void answer({ ok: false, ...webhookConflict }, webhookConflict.error_code);
      return;
    }
    this.notify(bot, call); // a poll that is held still shows that the bot is polling
    // Like Telegram, a second poll ends the one still waiting.
    if (bot.poll) void this.finishPoll(bot, bot.poll, conflict, 409);
    const offset = optionalInteger(call.params, "offset") ?? 0;
    const limit = Math.min(100, Math.max(1, optionalInteger(call.params, "limit") ?? 100));
    const timeout = Math.max(0, optionalInteger(call.params, "timeout") ?? 0);
    if (offset < 0 || offset > bot.confirmedOffset) this.record({ k: "offset", token: bot.token, offset });
    confirm(bot, offset);
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
    if (bot.webhook) return this.deliver(bot);
    const poll = bot.poll;
    if (!poll) return;
    const updates = this.takeUpdates(bot, poll.limit);
    if (updates.length > 0) void this.finishPoll(bot, poll, { ok: true, result: updates });
  }

  /**
   * Redeliveries first, then new updates by id. grammY takes the last id of a batch + 1 as its next offset, so this order
   * never confirms a new update that was not in the batch.
   */
  private takeUpdates(bot: BotState, limit: number): Update[] {
    const batch = deliveryOrder(bot).slice(0, limit);
    for (const d of batch) d.handedOut = true;
    return batch.map((d) => d.update);
  }

  // === Webhook

  /** Sets or removes (undefined) the bot's webhook; a held long poll ends with 409 as the webhook takes over. */
  private setWebhook(bot: BotState, webhook: Webhook | undefined): void {
    const changed = !jsonEqual(bot.webhook, webhook);
    bot.webhook = webhook;
    if (!changed) return;
    bot.lastWebhookError = undefined;
    bot.deliveryAbort?.abort(); // a POST to the old address is not confirmed; it is sent again to the new one
    if (webhook && bot.poll) void this.finishPoll(bot, bot.poll, webhookConflict, webhookConflict.error_code);
    if (webhook) this.deliver(bot);
  }

  /**
   * Starts the bot's delivery loop unless it runs: POSTs its pending updates to the webhook one at a time, in the
   * order getUpdates would hand them out, each until the webhook answers 2xx (a failure is retried after
   * {@link webhookRetryMs}, as Telegram retries). Updates of a type outside `allowed_updates` are dropped unsent.
   */
  private deliver(bot: BotState): void {
    if (bot.delivering || this.stopping) return;
    bot.delivering = (async () => {
      for (;;) {
        const webhook = bot.webhook;
        if (!webhook || this.stopping) return;
        const [delivery] = deliveryOrder(bot);
        if (!delivery) return;
        delivery.handedOut = true;
        const next = delivery.update;
        const type = Object.keys(next).find((k) => k !== "update_id") ?? "";
        if (webhook.allowedUpdates && webhook.allowedUpdates.length > 0 && !webhook.allowedUpdates.includes(type)) {
          this.confirmDelivery(bot, delivery);
          continue;
        }
        if (await this.post(bot, webhook, next)) this.confirmDelivery(bot, delivery);
        else if (!this.stopping) await new Promise((resolve) => setTimeout(resolve, webhookRetryMs));
      }
    })().finally(() => {
      bot.delivering = undefined;
      // An update pushed while the last POST was answered, or a webhook set anew meanwhile.
      if (bot.webhook && !this.stopping && bot.pending.length > 0) this.deliver(bot);
    });
  }

  /** One POST of `update` to the webhook; true if it answered 2xx. Every attempt is listed in `deliveries`. */
  private async post(bot: BotState, webhook: Webhook, update: Update): Promise<boolean> {
    const abort = new AbortController();
    bot.deliveryAbort = abort;
    const at = Date.now();
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (webhook.secretToken !== undefined) headers["x-telegram-bot-api-secret-token"] = webhook.secretToken;
    try {
      const res = await fetch(webhook.url, { method: "POST", headers, body: JSON.stringify(update), signal: AbortSignal.any([abort.signal, AbortSignal.timeout(60_000)]) });
      await res.arrayBuffer().catch(() => undefined);
      bot.deliveries.push({ updateId: update.update_id, at, durationMs: Date.now() - at, status: res.status });
      if (res.ok) return true;
      bot.lastWebhookError = { date: nowSeconds(), message: `Wrong response from the webhook: ${res.status} ${res.statusText}` };
      return false;
    } catch (err) {
      const message = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      bot.deliveries.push({ updateId: update.update_id, at, durationMs: Date.now() - at, error: message });
      bot.lastWebhookError = { date: nowSeconds(), message: `Connection failed: ${message}` };
      return false;
    } finally {
      if (bot.deliveryAbort === abort) bot.deliveryAbort = undefined;
    }
  }

  /** The webhook took the update: it is confirmed, as an offset past it would confirm it in getUpdates. */
  private confirmDelivery(bot: BotState, delivery: Delivery): void {
    if (delivery.redelivery) return remove(bot.pending, (d) => d === delivery);
    const offset = delivery.update.update_id + 1;
    if (offset > bot.confirmedOffset) this.record({ k: "offset", token: bot.token, offset });
    confirm(bot, offset);
  }

  // === State changes (each journaled by its caller or here, then applied; replay applies the same way)

  /** Keeps a new or edited message (journaled) and tells the listeners. */
  private storeMessage(bot: BotState, message: Message, html: string | undefined, edited: boolean): void {
    this.record({ k: "message", token: bot.token, message, ...(html !== undefined && { html }) });
    applyMessage(bot, message, html);
    const fromBot = message.from?.id === bot.info.id;
    this.emit({ type: "message", token: bot.token, chatId: message.chat.id, message, fromBot, edited, ...(html !== undefined && { html }) });
  }

  private forgetMessage(bot: BotState, chatId: number, messageId: number): void {
    bot.messages.delete(messageKey(chatId, messageId));
    bot.htmlSources.delete(messageKey(chatId, messageId));
  }

  private setCommands(bot: BotState, key: string, commands: BotCommand[] | null): void {
    this.record({ k: "commands", token: bot.token, key, commands });
    if (commands) bot.commands.set(key, commands);
    else bot.commands.delete(key);
  }

  /** Applies what a message's reply_markup does to the reply keyboard: `{ set }` shows one, null removes it. */
  private changeKeyboard(bot: BotState, chatId: number, change: ReplyKeyboardMarkup | null | undefined): void {
    if (change === undefined) return;
    if (change === null && !bot.keyboards.has(chatId)) return;
    this.record({ k: "keyboard", token: bot.token, chatId, markup: change });
    if (change) bot.keyboards.set(chatId, change);
    else bot.keyboards.delete(chatId);
    this.emit({ type: "keyboard", token: bot.token, chatId, markup: change });
  }

  private rememberUser(bot: BotState, user: BotApiUser): void {
    const known = bot.users.get(user.id);
    const merged = { ...known, ...withoutUndefined(user) } as BotApiUser;
    if (known && jsonEqual(known, merged)) return;
    this.record({ k: "user", token: bot.token, user: merged });
    bot.users.set(user.id, merged);
  }

  // === Journal

  /**
   * Replays the journal at `path`, then keeps it open for appending. A torn last line (a crash mid-write) is dropped;
   * a damaged line inside (a write that failed half-way, e.g. on a full disk) is skipped and counted in
   * {@link skippedJournalLines}, so the sandbox still starts with everything else.
   */
  private openJournal(path: string): void {
    mkdirSync(dirname(path), { recursive: true });
    const filesDir = join(dirname(path), "files");
    mkdirSync(filesDir, { recursive: true });
    const text = existsSync(path) ? readFileSync(path, "utf8") : "";
    const lines = text.split("\n");
    // The text after the last newline is a record cut short by a crash mid-write, or nothing.
    const tail = lines.pop() ?? "";
    for (const line of lines) {
      if (line.trim() === "") continue;
      let record: JournalRecord;
      try {
        record = JSON.parse(line) as JournalRecord;
      } catch {
        this.skippedJournalLines++;
        continue;
      }
      this.replay(record);
    }
    const fd = openSync(path, "a+");
    if (tail !== "") ftruncateSync(fd, Buffer.byteLength(text) - Buffer.byteLength(tail));
    this.journalFd = fd;
    this.filesDir = filesDir;
  }

  private replay(record: JournalRecord): void {
    if (record.k === "bot") {
      const known = this.bots.get(record.token);
      if (known) known.info = record.info;
      else this.bots.set(record.token, new BotState(record.token, record.info));
      return;
    }
    const bot = this.bots.get(record.token);
    if (!bot) return; // a record of a bot whose registration was lost cannot be applied
    switch (record.k) {
      case "update":
        addUpdate(bot, record.update);
        return;
      case "offset":
        confirm(bot, record.offset);
        return;
      case "message":
        applyMessage(bot, record.message, record.html);
        return;
      case "deleted":
        this.forgetMessage(bot, record.chatId, record.messageId);
        return;
      case "user":
        bot.users.set(record.user.id, record.user);
        return;
      case "file": {
        bot.files.set(record.fileId, { size: record.size, path: record.path, ...(record.stored !== undefined && { stored: record.stored }) });
        const n = /^file-(\d+)-/.exec(record.fileId)?.[1];
        if (n !== undefined) this.nextFileId = Math.max(this.nextFileId, Number(n) + 1);
        return;
      }
      case "commands":
        if (record.commands) bot.commands.set(record.key, record.commands);
        else bot.commands.delete(record.key);
        return;
      case "description":
        bot.descriptions.set(record.key, record.text);
        return;
      case "keyboard":
        if (record.markup) bot.keyboards.set(record.chatId, record.markup);
        else bot.keyboards.delete(record.chatId);
        return;
    }
  }

  /** Appends a record before the change it describes is applied or answered, so a crash never loses an answered change. */
  private record(record: JournalRecord): void {
    if (this.journalFd === undefined) return;
    const line = Buffer.from(`${this.journalLineOpen ? "\n" : ""}${JSON.stringify(record)}\n`);
    this.journalLineOpen = true;
    for (let written = 0; written < line.length; ) written += writeSync(this.journalFd, line, written);
    this.journalLineOpen = false;
  }

  // === Helpers

  private bot(token: string): BotState {
    const bot = this.bots.get(token);
    if (!bot) throw new Error(`local Bot API: no bot with token ${token}; call addBot first`);
    return bot;
  }

  private emit(event: BotApiEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (err) {
        // A listener's bug must not fail the bot's request.
        console.error("local Bot API: a change listener threw", err);
      }
    }
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

  private nextMessageId(bot: BotState, chatId: number): number {
    return (bot.lastMessageId.get(chatId) ?? 0) + 1;
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

  private pushMessage(token: string, from: BotApiUser, content: Partial<Message>): number {
    const bot = this.bot(token);
    this.rememberUser(bot, from);
    const message = {
      message_id: this.nextMessageId(bot, from.id),
      date: nowSeconds(),
      chat: this.chat(bot, from.id),
      from: userOf(from),
      ...content,
    } as NonNullable<Update["message"]>;
    // The update is journaled first: a crash in between must not show a message the bot never gets.
    const updateId = this.pushUpdate(token, { message });
    this.storeMessage(bot, message, undefined, false);
    // A one-time keyboard hides once the user has sent something.
    if (bot.keyboards.get(from.id)?.one_time_keyboard) this.changeKeyboard(bot, from.id, null);
    return updateId;
  }

  private botMessage(bot: BotState, chatId: number, content: Partial<Message>, html: string | undefined): Message {
    const message = { message_id: this.nextMessageId(bot, chatId), date: nowSeconds(), chat: this.chat(bot, chatId), from: this.botUser(bot), ...content } as Message;
    this.storeMessage(bot, message, html, false);
    return message;
  }

  private newFile(bot: BotState, folder: "photos" | "documents", source: FileSource): { file_id: string; file_unique_id: string } {
    const n = this.nextFileId++;
    const fileId = `file-${n}-${bot.info.id}`;
    const path = folder === "photos" ? `photos/${fileId}.jpg` : `documents/${fileId}`;
    let stored = source.stored;
    if (this.journalFd !== undefined && this.filesDir !== undefined && source.bytes && stored === undefined) {
      stored = fileId;
      writeFileSync(join(this.filesDir, stored), source.bytes);
    }
    this.record({ k: "file", token: bot.token, fileId, ...(source.size !== undefined && { size: source.size }), path, ...(stored !== undefined && { stored }) });
    bot.files.set(fileId, { size: source.size, path, ...(source.bytes && { bytes: source.bytes }), ...(stored !== undefined && { stored }) });
    return { file_id: fileId, file_unique_id: `unique-${n}` };
  }

  private photoSize(bot: BotState, side: number, source: FileSource): PhotoSize {
    return { ...this.newFile(bot, "photos", source), width: side, height: side, ...(source.size !== undefined && { file_size: source.size }) };
  }

  /** A file's bytes: kept in memory, or read back from the journal's files folder after a restart. */
  private bytesOf(file: StoredFile): Buffer | undefined {
    if (file.bytes) return file.bytes;
    if (file.stored === undefined || this.filesDir === undefined) return undefined;
    try {
      file.bytes = readFileSync(join(this.filesDir, file.stored));
      return file.bytes;
    } catch {
      return undefined;
    }
  }

  /**
   * What is sent as a photo or document: an upload, a file sent before by id, or a URL (no bytes, no size). File ids
   * belong to one bot, as on Telegram: another bot's id (or an unknown one) is refused.
   */
  private fileSource(bot: BotState, value: unknown, field: string): FileSource {
    if (isUpload(value)) return { size: value.size, ...(uploadBytes.has(value) && { bytes: uploadBytes.get(value)! }) };
    if (typeof value !== "string" || value === "") throw badRequest(`there is no ${field} in the request`);
    if (/^https?:\/\//.test(value)) return { size: undefined };
    const known = bot.files.get(value);
    if (!known) throw badRequest("wrong file identifier/HTTP URL specified");
    const bytes = this.bytesOf(known);
    // A file sent again by id shares the stored bytes of the first.
    return { size: known.size, ...(bytes && { bytes }), ...(known.stored !== undefined && { stored: known.stored }) };
  }

  private caption(params: Params): { caption?: string } {
    const caption = messageText(params, "caption");
    if (caption === undefined) return {};
    if (caption.length > 1024) throw badRequest("message caption is too long");
    return { caption };
  }
}

/** The name the tests know it by. */
export { LocalBotApi as FakeBotApi };

const conflict: ApiError = { error_code: 409, description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running" };
const webhookConflict: ApiError = { error_code: 409, description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" };
/** A webhook that did not answer 2xx gets the update again after this pause. */
const webhookRetryMs = 500;

function webhookOf(url: string, params: Params): Webhook {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest("bad webhook: invalid URL");
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw badRequest("bad webhook: unsupported URL protocol");
  const secretToken = optionalString(params, "secret_token");
  if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) throw badRequest("secret token contains unallowed characters");
  const allowed = params.allowed_updates;
  if (allowed !== undefined && !(Array.isArray(allowed) && allowed.every((t) => typeof t === "string"))) throw badRequest("can't parse allowed_updates");
  return { url, secretToken, allowedUpdates: allowed as string[] | undefined, maxConnections: optionalInteger(params, "max_connections") };
}

function canonicalMethod(name: string): string {
  const known = [
    "getUpdates", "getMe", "logOut", "close", "deleteWebhook", "setWebhook", "getWebhookInfo", "setMyCommands", "getMyCommands", "deleteMyCommands",
    "setMyDescription", "getMyDescription", "setMyShortDescription", "getMyShortDescription", "sendMessage", "sendPhoto", "sendDocument",
    "sendChatAction", "copyMessage", "editMessageText", "editMessageCaption", "editMessageReplyMarkup", "deleteMessage", "answerCallbackQuery", "getFile",
  ];
  return known.find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
}

/** `offset` confirms every update before it; a negative one keeps only the last `-offset` updates. */
function confirm(bot: BotState, offset: number): void {
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

/** Pending updates in the order they are handed out: redeliveries first, then new updates by id. */
function deliveryOrder(bot: BotState): Delivery[] {
  const redeliveries = bot.pending.filter((d) => d.redelivery);
  const fresh = bot.pending.filter((d) => !d.redelivery).sort((a, b) => a.update.update_id - b.update.update_id);
  return [...redeliveries, ...fresh];
}

function addUpdate(bot: BotState, update: Update): void {
  bot.nextUpdateId = Math.max(bot.nextUpdateId, update.update_id + 1);
  bot.updates.set(update.update_id, update);
  bot.pending.push({ update, redelivery: false, handedOut: false });
  const query = update.callback_query;
  if (query) bot.callbackQueries.set(query.id, query.message?.chat.id ?? query.from.id);
}

function applyMessage(bot: BotState, message: Message, html: string | undefined): void {
  const key = messageKey(message.chat.id, message.message_id);
  bot.messages.set(key, message);
  if (html === undefined) bot.htmlSources.delete(key);
  else bot.htmlSources.set(key, html);
  bot.lastMessageId.set(message.chat.id, Math.max(bot.lastMessageId.get(message.chat.id) ?? 0, message.message_id));
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const messageKey = (chatId: number, messageId: number) => `${chatId}:${messageId}`;
const firstName = (user: BotApiUser) => user.first_name ?? `User ${user.id}`;
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isUpload = (value: unknown): value is UploadedFile => isRecord(value) && typeof value.filename === "string" && typeof value.size === "number";
const isMessage = (value: unknown): value is Message => isRecord(value) && typeof value.message_id === "number" && isRecord(value.chat);
const jsonEqual = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const withoutUndefined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** PNG and JPEG by their signatures; anything else as `fallback`. */
export function sniffContentType(bytes: Buffer, fallback = "application/octet-stream"): string {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "image/png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "image/jpeg";
  return fallback;
}

function userOf(user: BotApiUser) {
  return { ...user, is_bot: false as const, first_name: firstName(user) };
}

function hasButton(message: Message, data: string): boolean {
  return (message.reply_markup?.inline_keyboard ?? []).some((row) => row.some((b) => "callback_data" in b && b.callback_data === data));
}

function remove<T>(items: T[], predicate: (item: T) => boolean): void {
  for (let i = items.length - 1; i >= 0; i--) if (predicate(items[i]!)) items.splice(i, 1);
}

/** Commands are kept per scope and language; the key names the scope by its fields, whatever order they came in. */
function scopeKey(params: Params): string {
  const scope = isRecord(params.scope) ? params.scope : { type: "default" };
  const field = (name: string) => (scope[name] === undefined ? "" : String(scope[name]));
  return `${field("type")}:${field("chat_id")}:${field("user_id")}|${optionalString(params, "language_code") ?? ""}`;
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

/**
 * What a message's reply_markup does to the keyboard under the chat's input: a reply keyboard (its buttons given as
 * strings or `{ text }`) replaces it, `remove_keyboard` removes it (null); anything else leaves it (undefined).
 */
function replyKeyboardChange(params: Params): ReplyKeyboardMarkup | null | undefined {
  const markup = params.reply_markup;
  if (!isRecord(markup)) return undefined;
  if (markup.remove_keyboard === true) return null;
  if (!("keyboard" in markup)) return undefined;
  const rows = markup.keyboard;
  const button = (b: unknown): KeyboardButton | undefined =>
    typeof b === "string" ? { text: b } : isRecord(b) && typeof b.text === "string" ? (b as unknown as KeyboardButton) : undefined;
  const keyboard = Array.isArray(rows) ? rows.map((row: unknown) => (Array.isArray(row) ? row.map(button) : [undefined])) : [[undefined]];
  if (!keyboard.every((row) => row.every((b) => b !== undefined))) {
    throw badRequest("can't parse keyboard button: \"keyboard\" must be an array of arrays of buttons with a text");
  }
  return { ...markup, keyboard } as ReplyKeyboardMarkup;
}

/** Entities the bot gave explicitly (without parse_mode), kept on the message as Telegram does. */
function givenEntities(params: Params, field: "entities" | "caption_entities"): Partial<Message> {
  const entities = params[field];
  if (entities === undefined || params.parse_mode !== undefined) return {};
  if (!Array.isArray(entities) || !entities.every((e) => isRecord(e) && typeof e.type === "string" && typeof e.offset === "number" && typeof e.length === "number")) {
    throw badRequest(`can't parse ${field}`);
  }
  return { [field]: entities } as Partial<Message>;
}

/** The raw HTML of a text or caption sent with parse_mode HTML (the web chat renders it; the stored message has it stripped). */
function htmlSource(params: Params, field: "text" | "caption"): string | undefined {
  const raw = params[field];
  return params.parse_mode === "HTML" && typeof raw === "string" ? raw : undefined;
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
 * Fields are decoded like form fields; a file part becomes `{ filename, size }` (its bytes kept aside, in
 * {@link uploadBytes}) wherever a field names it as `attach://<part>`, or under its own name when nothing does.
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
    if (filename !== undefined) {
      const file = { filename, size: content.length };
      uploadBytes.set(file, Buffer.from(content)); // a copy, so the whole request body is not kept alive
      files.set(name, file);
    } else fields[name] = decodeField(name, content.toString("utf8"));
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
