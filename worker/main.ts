// `npm run start:worker`: performs the outbox's jobs (messages between bots, the NPS question, expiries).
import { setTimeout as sleep } from "node:timers/promises";
import { autoRetry } from "@grammyjs/auto-retry";
import { Api } from "grammy";
import { loadConfigOrExit } from "../core/config.js";
import { analyticsDate } from "../core/analytics/nightly.js";
import { startOfDay } from "../core/clock.js";
import { enqueue } from "../core/jobs/outbox.js";
import { getNetworkSettings } from "../core/settings/service.js";
import { expireRedemptions } from "../core/ledger/service.js";
import { createRuntime, type Runtime } from "../core/runtime.js";
import { onShutdown } from "../core/shutdown.js";
import { createI18n } from "../telegram/i18n.js";
import { isEntryPoint } from "../core/process.js";
import { runOutboxOnce, type OutboxDeps } from "./outbox.js";
import { PacedSender } from "./sender.js";
import { TelegramLink } from "./telegram-link.js";

export const workerConfigKeys = ["DATABASE_URL", "REDIS_URL", "CLIENT_BOT_TOKEN", "PARTNER_BOT_TOKEN", "ADMIN_BOT_TOKEN", "ADMIN_IDS", "TELEGRAM_API_ROOT", "LOG_LEVEL", "RATE_LIMIT_MAX", "RATE_LIMIT_WINDOW_MS", "SEND_RATE_PER_SECOND", "SEND_CHAT_INTERVAL_MS"] as const;

/** How often an idle worker looks for due jobs, and sweeps expired redemption requests. */
const idlePollMs = 500;
const expirySweepMs = 30_000;
/** The longest one Bot API request may take before it counts as Telegram being unreachable. */
const requestTimeoutSeconds = 60;

/** Local time (Moscow) after which the day's analytics run; the dedupe key makes it once a day whatever the restarts. */
export const nightlyHour = 3;

export async function scheduleNightly(db: Runtime["db"], now: Date): Promise<boolean> {
  if (now.getTime() < startOfDay(now).getTime() + nightlyHour * 3_600_000) return false;
  await enqueue(db, "analytics.recompute", {}, { runAt: now, dedupeKey: `analytics:${analyticsDate(now)}` });
  return true;
}

/** Yesterday's digests, once a day at the network's `digestHour` (Moscow time). */
export async function scheduleDigests(db: Runtime["db"], now: Date): Promise<boolean> {
  const { digestHour } = await getNetworkSettings(db);
  if (now.getTime() < startOfDay(now).getTime() + digestHour * 3_600_000) return false;
  const day = analyticsDate(now);
  await enqueue(db, "digest.partners", { day }, { runAt: now, dedupeKey: `digest-partners:${day}` });
  await enqueue(db, "digest.network", { day }, { runAt: now, dedupeKey: `digest-network:${day}` });
  return true;
}

export function startWorker(config: ReturnType<typeof loadConfigOrExit<(typeof workerConfigKeys)[number]>>, runtime: Runtime) {
  // No request may hold a job for long: each is cut off after `requestTimeoutSeconds`, and nothing is retried inside
  // a job (auto-retry would retry a network error for up to an hour). A failure goes back to the outbox — its own
  // backoff, or, when Telegram is unreachable, a wait for its return (see TelegramLink) — and a 429 to the
  // PacedSender, which pauses the whole bot. Edits (a broadcast's progress) still wait out a short 429 in place.
  const newApi = (token: string) => new Api(token, { apiRoot: config.TELEGRAM_API_ROOT, timeoutSeconds: requestTimeoutSeconds });
  const api = (token: string) => {
    const a = newApi(token);
    a.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 10, rethrowHttpErrors: true, rethrowInternalServerErrors: true }));
    return a;
  };
  const limits = { perSecond: config.SEND_RATE_PER_SECOND, perChatIntervalMs: config.SEND_CHAT_INTERVAL_MS };
  const sender = (token: string) => new PacedSender(newApi(token), limits);
  const probe = new Api(config.CLIENT_BOT_TOKEN, { apiRoot: config.TELEGRAM_API_ROOT, timeoutSeconds: 5 });
  const telegram = new TelegramLink(() => probe.getMe(), runtime.logger);
  const deps: OutboxDeps = {
    db: runtime.db,
    redis: runtime.redis,
    logger: runtime.logger,
    clock: runtime.clock,
    adminIds: config.ADMIN_IDS,
    apis: { client: api(config.CLIENT_BOT_TOKEN), partner: api(config.PARTNER_BOT_TOKEN), admin: api(config.ADMIN_BOT_TOKEN) },
    senders: { client: sender(config.CLIENT_BOT_TOKEN), partner: sender(config.PARTNER_BOT_TOKEN), admin: sender(config.ADMIN_BOT_TOKEN) },
    i18n: { client: createI18n("client"), partner: createI18n("partner"), admin: createI18n("admin") },
    telegram,
  };
  let running = true;
  /** Runs `step` until stopped; a failure is logged and retried a little later. */
  const loop = async (what: string, step: () => Promise<number>) => {
    while (running) {
      try {
        if ((await step()) === 0) await sleep(idlePollMs);
      } catch (err) {
        runtime.logger.error({ err }, `worker ${what} failed; retrying`);
        await sleep(idlePollMs * 4);
      }
    }
  };
  // Work that sends nothing runs on its own, so a slow or unreachable Telegram never holds it up.
  let lastSweep = 0;
  let nightlyScheduledFor = "";
  let digestsScheduledFor = "";
  const housekeeping = loop("housekeeping", async () => {
    if (Date.now() - lastSweep > expirySweepMs) {
      lastSweep = Date.now();
      await expireRedemptions(runtime.db, runtime.clock);
    }
    const now = runtime.clock.now();
    if (nightlyScheduledFor !== analyticsDate(now) && (await scheduleNightly(runtime.db, now))) nightlyScheduledFor = analyticsDate(now);
    if (digestsScheduledFor !== analyticsDate(now) && (await scheduleDigests(runtime.db, now))) digestsScheduledFor = analyticsDate(now);
    return 0;
  });
  // Sending remembers delivered chats in Redis (no repeats): while Redis is down the outbox waits for it.
  const outbox = loop("outbox", async () => (runtime.redis.status === "ready" ? runOutboxOnce(deps) : 0));
  runtime.logger.info("worker started");
  return {
    stop: async () => {
      running = false;
      await Promise.all([housekeeping, outbox, telegram.stop()]);
    },
  };
}

if (isEntryPoint(import.meta.url)) {
  const config = loadConfigOrExit(workerConfigKeys);
  const runtime = createRuntime(config, "worker");
  const worker = startWorker(config, runtime);
  onShutdown(runtime.logger, async () => {
    await worker.stop();
    await runtime.close();
  });
}
