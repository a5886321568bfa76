import { AsyncLocalStorage } from "node:async_hooks";
import { pino, stdSerializers, type DestinationStream, type Logger, type LoggerOptions } from "pino";

export type { Logger };

/** Fields every line logged in a scope carries, whoever logs it (e.g. `{ bot, updateId }` while an update is handled). */
export type LogContext = Record<string, string | number>;

const logContext = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `fields` added to every log line written inside it (its awaits and callbacks included). */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...fields }, fn);
}

/** A copy of the fields of the current log context (empty outside one). */
export const currentLogContext = (): LogContext => ({ ...logContext.getStore() });

/** Runs `fn` (e.g. starts a timer that outlives the update) with no log context: its lines belong to no update. */
export function outsideLogContext<T>(fn: () => T): T {
  return logContext.exit(fn);
}

/**
 * What must never reach a log line or a stored error, wherever it stands (a message, an error's URL, a field):
 * bot tokens (grammY's HTTP errors carry the request URL, `…/bot<token>/sendMessage`), phone numbers, and a
 * Mini App's initData (it signs the user's identity).
 */
const redactions: [RegExp, string][] = [
  // A bot token: digits, a colon, 30+ url-safe characters.
  [/\d+:[A-Za-z0-9_-]{30,}/g, "[bot-token]"],
  // initData: a query string with auth_date / a url-encoded user object (or the WebApp parameter carrying it).
  [/[^\s"'\\]*(?:auth_date=\d|user=%7B|tgWebAppData=)[^\s"'\\]*/gi, "[initData]"],
  // An international number: +, then 8 to 15 digits with the usual separators.
  [/\+\d(?:[\s().-]{0,2}\d){7,14}(?!\d)/g, "[phone]"],
  // A Russian number without the +: 7 or 8, then ten digits, with the usual separators.
  [/(?<![\d+.-])[78](?:[\s().-]{0,2}\d){10}(?!\d)/g, "[phone]"],
  // A Russian mobile number as ten bare digits.
  [/(?<![\d+.-])9\d{9}(?!\d)/g, "[phone]"],
];

/** The text with every bot token, phone number and initData replaced by a placeholder (JSON stays valid). */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of redactions) out = out.replace(pattern, replacement);
  return out;
}

/** Keys of errors that carry values: a query's (drizzle's `params`, postgres.js's `parameters`), a Redis command's `args`, a Bot API call's `payload` (chat id and text). */
const valueKeys = new Set(["params", "parameters", "args", "payload"]);

/** drizzle's DrizzleQueryError puts the values in its message: `Failed query: <sql>\nparams: <values>`. */
const stripParams = (text: string) => text.replace(/\nparams: [^\n]*/g, "\nparams: [redacted]");

function scrub(value: unknown, depth: number): unknown {
  if (typeof value === "string") return redactSecrets(stripParams(value));
  if (depth > 5 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  // An error inside an error (grammY's HttpError keeps the fetch error, with the URL and so the token, in `error`).
  if (value instanceof Error) return scrub(stdSerializers.err(value), depth + 1);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (valueKeys.has(key)) continue;
    // postgres.js: `Key (phone)=(+7916…) already exists.`
    out[key] = key === "detail" && typeof v === "string" ? redactSecrets(v.replace(/=\(.*\)/g, "=(…)")) : scrub(v, depth + 1);
  }
  return out;
}

/** pino's error serializer, without query parameters and with secrets redacted (causes included). */
export function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return scrub(err, 0);
  return scrub(stdSerializers.err(err), 0);
}

/**
 * One line of text for an error that is stored (e.g. `jobs.last_error`): name and message, and its cause's, with
 * query parameters removed and secrets redacted — the same rules as the logs.
 */
export function safeErrorText(err: unknown, maxLength = 2_000): string {
  const describe = (e: unknown) => stripParams(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  let text = describe(err);
  const cause = err instanceof Error ? (err as { cause?: unknown }).cause : undefined;
  if (cause !== undefined && cause !== null) text += ` (cause: ${describe(cause)})`;
  return redactSecrets(text).slice(0, maxLength);
}

/**
 * The process's logger. Errors go through {@link serializeError}; every line carries the fields of the current
 * {@link withLogContext} (a field the call itself gives wins); and every line, whatever logged it and under
 * whatever key, has bot tokens, phone numbers and initData redacted as it is written.
 */
export function createLogger(level: string = "info", name?: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    ...(name ? { name } : {}),
    serializers: { err: serializeError, error: serializeError },
    // A copy each time: pino merges the call's own fields into the object the mixin returns.
    mixin: () => currentLogContext(),
    redact: { paths: ["initData", "*.initData", "phone", "*.phone"], censor: "[redacted]" },
    hooks: { streamWrite: redactSecrets },
  };
  return destination ? pino(options, destination) : pino(options);
}
