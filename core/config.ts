import { z } from "zod";

/** Telegram bot tokens look like `123456789:AA...` (digits, a colon, 30+ url-safe characters). */
const botToken = z.string().regex(/^\d+:[A-Za-z0-9_-]{30,}$/, "must look like 123456:ABC… (from @BotFather)");

const postgresUrl = z
  .string()
  .url()
  .refine((u) => /^postgres(ql)?:\/\//.test(u), "must be a postgres:// URL");

const redisUrl = z
  .string()
  .url()
  .refine((u) => /^rediss?:\/\//.test(u), "must be a redis:// URL");

/**
 * An address Telegram or a browser reaches from outside: https, or http for localhost only (tests, a laptop);
 * without its trailing slash. (zod runs the refinement even when `.url()` failed, hence the guarded parse.)
 */
const httpsUrl = z
  .string()
  .url()
  .refine((u) => {
    const url = URL.canParse(u) ? new URL(u) : undefined;
    return url !== undefined && (url.protocol === "https:" || (url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname)));
  }, "must be an https:// URL (http only for localhost)")
  .transform((u) => u.replace(/\/+$/, ""));

const adminIds = z
  .string()
  .transform((s) => s.split(",").map((x) => x.trim()).filter((x) => x.length > 0))
  .pipe(z.array(z.string().regex(/^\d{1,15}$/, "each id must be a Telegram user id (digits)")).min(1, "must list at least one id"))
  .transform((ids) => ids.map(Number));

export const configSchema = z.object({
  DATABASE_URL: postgresUrl,
  REDIS_URL: redisUrl,
  CLIENT_BOT_TOKEN: botToken,
  PARTNER_BOT_TOKEN: botToken,
  ADMIN_BOT_TOKEN: botToken,
  ADMIN_IDS: adminIds,
  TELEGRAM_API_ROOT: z.string().url().default("https://api.telegram.org"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Updates one user may send a bot per RATE_LIMIT_WINDOW_MS before being asked to slow down. */
  RATE_LIMIT_MAX: z.coerce.number().int().min(1).max(10_000).default(10),
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(100).max(600_000).default(3_000),
  /** The worker's sending pace per bot (Telegram allows about 30/s) and between two messages to one chat. */
  SEND_RATE_PER_SECOND: z.coerce.number().min(0.1).max(30).default(25),
  SEND_CHAT_INTERVAL_MS: z.coerce.number().int().min(1_000).max(60_000).default(1_000),
  /** TEST-ONLY fault injection for the restart-safety tests (bots/shared/faults.ts). Never set it in production. */
  FAULT_CRASH_BEFORE_CONVERSATION_SAVE: z.enum(["0", "1"]).default("0"),
  /**
   * Keys the one-way hash (HMAC-SHA256) kept of a deleted client's Telegram id, so a returning person gets no second
   * welcome bonus while the id itself cannot be recovered. Generate with `openssl rand -hex 32`; never change it
   * (a new secret forgets who was deleted before).
   */
  APP_SECRET: z.string().min(32, "must be at least 32 characters (generate with: openssl rand -hex 32)"),
  /** The web server (Mini App and dashboard) listens on this port. */
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  /**
   * Where people reach the web server from outside (the Mini App's and the dashboard's links), e.g.
   * https://card.example.com. Telegram opens Mini Apps only over https; http is accepted for localhost only.
   * Unset: the client bot shows no "My card" button and /dashboard says the dashboard has no address yet.
   */
  PUBLIC_URL: httpsUrl.optional(),
  /** The Mini App refuses Telegram initData signed longer ago than this (seconds). */
  INIT_DATA_MAX_AGE_SECONDS: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(3600),
  /**
   * Unset: the bots fetch their updates by long polling. Set: Telegram posts them to `<WEBHOOK_URL>/<bot>` (client,
   * partner, admin), which must reach this server (behind a TLS proxy), e.g. https://bots.example.com/telegram.
   * http is accepted for localhost only (tests).
   */
  WEBHOOK_URL: httpsUrl.optional(),
  /**
   * A process started alone (`npm run start:<bot>|worker`) serves /healthz, /readyz and /metrics on this port, and a
   * bot in webhook mode its webhook too. `npm start` and the web server use PORT for all of it.
   */
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /** `npm run db:backup`: where the dumps go, and how many of the newest are kept. */
  BACKUP_DIR: z.string().min(1).default("backups"),
  BACKUP_KEEP: z.coerce.number().int().min(1).max(1_000).default(14),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigKey = keyof Config;

export class ConfigError extends Error {
  constructor(readonly variable: string, readonly problem: string) {
    super(`config: ${variable} ${problem}`);
    this.name = "ConfigError";
  }
}

/**
 * Parses only the variables a process needs (a worker needs no admin bot token), so each
 * process can be started with just its own settings. The first problem is reported as one line.
 */
export function parseConfig<K extends ConfigKey>(env: NodeJS.ProcessEnv, keys: readonly K[]): Pick<Config, K> {
  const shape = Object.fromEntries(keys.map((k) => [k, configSchema.shape[k]]));
  const result = z.object(shape).safeParse(env);
  if (result.success) return result.data as unknown as Pick<Config, K>;
  const issue = result.error.issues[0]!;
  const variable = String(issue.path[0] ?? "environment");
  const problem = env[variable] === undefined || env[variable] === "" ? "is missing" : `is invalid: ${issue.message}`;
  throw new ConfigError(variable, problem);
}

/** For `main.ts` files: parse, or print the one line and exit 1. */
export function loadConfigOrExit<K extends ConfigKey>(keys: readonly K[], env: NodeJS.ProcessEnv = process.env): Pick<Config, K> {
  try {
    return parseConfig(env, keys);
  } catch (err) {
    if (err instanceof ConfigError) exitWithConfigError(err);
    throw err;
  }
}

/** Prints the problem's one line and exits 1 (also for a rule between settings that no single schema holds). */
export function exitWithConfigError(err: ConfigError): never {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
}
