import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Update } from "grammy/types";
import { lifecycle } from "../../core/ops/health.js";
import type { Logger } from "../../core/logger.js";
import type { BotName } from "../../telegram/bot-name.js";

/**
 * The secret Telegram sends back with every webhook post (`X-Telegram-Bot-Api-Secret-Token`): derived from APP_SECRET,
 * so every replica of a bot knows it without another setting, and different for each bot.
 */
export function webhookSecret(appSecret: string, bot: BotName): string {
  return createHmac("sha256", appSecret).update(`telegram-webhook:${bot}`).digest("hex");
}

/** Where Telegram posts a bot's updates: `<WEBHOOK_URL>/<bot>`. */
export const webhookUrl = (base: string, bot: BotName) => `${base}/${bot}`;
/** The path part the server matches (a proxy in front forwards the path unchanged). */
export const webhookPath = (base: string, bot: BotName) => new URL(webhookUrl(base, bot)).pathname;

/**
 * A request handler: tries a request, returns false (touching nothing) if it is not for it. Composed in front of
 * another server's listener (the web server's in `npm start`, the ops server's in a bot started alone).
 */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Telegram's updates are small; anything larger is not Telegram. */
const maxBodyBytes = 1024 * 1024;

export type WebhookOptions = {
  bot: BotName;
  path: string;
  secret: string;
  logger: Logger;
  /** Takes the update (queues it); the answer waits only for this, never for handling it. A throw answers 503. */
  accept: (update: Update) => Promise<void>;
  /** True once the bot stops: new posts get 503, which Telegram retries (another replica, or this one restarted). */
  stopping: () => boolean;
};

/**
 * The bot's webhook endpoint: POST only, Telegram's secret header checked in constant time (wrong or missing: 401,
 * nothing done), the body a JSON update with a numeric update_id (else 400), at most 1 MB (else 413). A good update
 * is accepted and answered 200 at once; handling it happens after.
 */
export function webhookHandler(options: WebhookOptions): RequestHandler {
  const expected = Buffer.from(options.secret);
  const log = options.logger.child({ bot: options.bot });
  return (req, res) => {
    // The path as sent (no URL parsing: a request target `new URL` rejects, such as `//[`, must not throw here).
    if ((req.url ?? "/").split("?", 1)[0] !== options.path) return false;
    void serve(req, res).catch((err: unknown) => {
      log.error({ err }, "webhook request failed");
      answer(res, 500);
    });
    return true;
  };

  async function serve(req: IncomingMessage, res: ServerResponse) {
    if (req.method !== "POST") return answer(res, 405, { allow: "POST" });
    const given = req.headers["x-telegram-bot-api-secret-token"];
    const secret = Buffer.from(typeof given === "string" ? given : "");
    if (secret.length !== expected.length || !timingSafeEqual(secret, expected)) {
      log.warn({ remote: req.socket.remoteAddress, secretGiven: given !== undefined }, "webhook post refused: wrong or missing secret token");
      return answer(res, 401);
    }
    if (options.stopping() || lifecycle.draining) return answer(res, 503);
    const body = await readBody(req);
    if (body === undefined) return answer(res, 413);
    const update = parseUpdate(body);
    if (!update) return answer(res, 400);
    try {
      await options.accept(update);
    } catch (err) {
      // Not taken (Redis answered too late to know): Telegram posts it again, and queueing is idempotent by update_id.
      log.warn({ reason: err instanceof Error ? err.message : String(err), updateId: update.update_id }, "webhook update not taken: Telegram will post it again");
      return answer(res, 503);
    }
    answer(res, 200);
  }
}

function answer(res: ServerResponse, status: number, headers: Record<string, string> = {}) {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { ...headers, "content-length": 0, ...(status >= 400 && { connection: "close" }) }).end();
}

/** The body, or undefined once it passes {@link maxBodyBytes} (the rest is not read). */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  if (Number(req.headers["content-length"] ?? 0) > maxBodyBytes) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function parseUpdate(body: Buffer): Update | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString("utf8"));
    const id = typeof parsed === "object" && parsed !== null ? (parsed as { update_id?: unknown }).update_id : undefined;
    return Number.isSafeInteger(id) && (id as number) >= 0 ? (parsed as Update) : undefined;
  } catch {
    return undefined;
  }
}
