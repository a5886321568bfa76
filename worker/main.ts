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
import { createRuntime, reportPostgresUnavailable, waitForServices, type Runtime } from "../core/runtime.js";
import { startOpsServer } from "../core/ops/http.js";
import { watchRuntime } from "../core/ops/metrics.js";
import { unavailableService } from "../core/unavailable.js";
import { onShutdown } from "../core/shutdown.js";
import { createI18n } from "../telegram/i18n.js";
import { observedFetch } from "../telegram/observe.js";
import type { BotName } from "../telegram/bot-name.js";
import { isEntryPoint } from "../core/process.js";
import { runOutboxOnce, type OutboxDeps } from "./outbox.js";
import { requestTimeoutSeconds } from "./lease.js";
import { PacedSender } from "./sender.js";
import { TelegramLink } from "./telegram-link.js";

export const workerConfigKeys = ["DATABASE_URL", "REDIS_URL", "CLIENT_BOT_TOKEN", "PARTNER_BOT_TOKEN", "ADMIN_BOT_TOKEN", "ADMIN_IDS", "TELEGRAM_API_ROOT", "LOG_LEVEL", "RATE_LIMIT_MAX", "RATE_LIMIT_WINDOW_MS", "SEND_RATE_PER_SECOND", "SEND_CHAT_INTERVAL_MS", "METRICS_PORT"] as const;

/** How often an idle worker looks for due jobs, and sweeps expired redemption requests. */
const idlePollMs = 500;
const expirySweepMs = 30_000;

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

type WorkerConfig = ReturnType<typeof loadConfigOrExit<(typeof workerConfigKeys)[number]>>;

/**
 * The worker's Bot API clients. No request may hold a job for long: each is cut off after `requestTimeoutSeconds`
 * (the job lease is sized for it, see lease.ts), and nothing is retried inside a job (auto-retry would retry a
 * network error for up to an hour). A failure goes back to the outbox — its own backoff, or, when Telegram is
 * unreachable, a wait for its return (see TelegramLink) — and a 429 to the PacedSender, which pauses the whole bot.
 * Edits (a broadcast's progress) still wait out a short 429 in place. Every call is observed (metrics).
 */
export function telegramClients(config: Pick<WorkerConfig, "CLIENT_BOT_TOKEN" | "PARTNER_BOT_TOKEN" | "ADMIN_BOT_TOKEN" | "TELEGRAM_API_ROOT" | "SEND_RATE_PER_SECOND" | "SEND_CHAT_INTERVAL_MS">) {
  const tokens = { client: config.CLIENT_BOT_TOKEN, partner: config.PARTNER_BOT_TOKEN, admin: config.ADMIN_BOT_TOKEN };
  const newApi = (bot: BotName) => {
    // Every request is counted at the fetch, retries included.
    return new Api(tokens[bot], { apiRoot: config.TELEGRAM_API_ROOT, timeoutSeconds: requestTimeoutSeconds, fetch: observedFetch(bot) });
  };
  const editApi = (bot: BotName) => {
    const api = newApi(bot);
    api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 10, rethrowHttpErrors: true, rethrowInternalServerErrors: true }));
    return api;
  };
  const limits = { perSecond: config.SEND_RATE_PER_SECOND, perChatIntervalMs: config.SEND_CHAT_INTERVAL_MS };
  const sender = (bot: BotName) => new PacedSender(newApi(bot), limits);
  return {
    apis: { client: editApi("client"), partner: editApi("partner"), admin: editApi("admin") },
    senders: { client: sender("client"), partner: sender("partner"), admin: sender("admin") },
    /** Asks whether Telegram is back during an outage: quick to give up, and not counted as the product's calls. */
    probe: new Api(config.CLIENT_BOT_TOKEN, { apiRoot: config.TELEGRAM_API_ROOT, timeoutSeconds: 5 }),
  };
}

/**
 * Runs the worker's loops on `runtime` until `stop`: the outbox (jobs that send) and housekeeping (expiries, the
 * nightly schedule). `stop` takes no more jobs, lets the job in hand reach a safe boundary (never the middle of a
 * send), hands back every job claimed and not finished (due at once, its attempt given back) and resolves.
 */
export function startWorker(config: WorkerConfig, runtime: Runtime) {
  const clients = telegramClients(config);
  const telegram = new TelegramLink(() => clients.probe.getMe(), runtime.logger);
  const stopping = new AbortController();
  const deps: OutboxDeps = {
    db: runtime.db,
    redis: runtime.redis,
    logger: runtime.logger,
    clock: runtime.clock,
    adminIds: config.ADMIN_IDS,
    apis: clients.apis,
    senders: clients.senders,
    i18n: { client: createI18n("client"), partner: createI18n("partner"), admin: createI18n("admin") },
    telegram,
    stopping: stopping.signal,
  };
  const pause = (ms: number) => sleep(ms, undefined, { signal: stopping.signal }).catch(() => undefined);
  /** Runs `step` until stopped; a failure is logged and retried a little later. */
  const loop = async (what: string, step: () => Promise<number>) => {
    while (!stopping.signal.aborted) {
      try {
        if ((await step()) === 0) await pause(idlePollMs);
      } catch (err) {
        // A service outage is logged once by the runtime when it starts and once when it ends (Postgres through
        // this report, Redis by its connection), not on every retry; anything else is logged each time.
        const service = unavailableService(err);
        if (service === "postgres") reportPostgresUnavailable(runtime, err);
        else if (service !== "redis") runtime.logger.error({ err }, `worker ${what} failed; retrying`);
        await pause(idlePollMs * 4);
      }
    }
  };
  // Work that sends nothing runs on its own, so a slow or unreachable Telegram never holds it up.
  let lastSweep = 0;
  let nightlyScheduledFor = "";
  let digestsScheduledFor = "";
  const housekeeping = loop("housekeeping", async () => {
    if (Date.now() - lastSweep > expirySweepMs) {
      await expireRedemptions(runtime.db, runtime.clock);
      lastSweep = Date.now();
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
      stopping.abort();
      telegram.stop();
      await Promise.all([housekeeping, outbox]);
    },
  };
}

/**
 * `npm run start:worker`. The ops server (when METRICS_PORT is set) answers at once — /readyz says what is missing —
 * while the worker waits for Postgres and Redis; SIGTERM at any point stops it within the shutdown deadline.
 */
async function main() {
  const config = loadConfigOrExit(workerConfigKeys);
  const runtime = createRuntime(config, "worker");
  watchRuntime(runtime, "worker");
  let worker: ReturnType<typeof startWorker> | undefined;
  let ops: Awaited<ReturnType<typeof startOpsServer>> | undefined;
  let stopped = false;
  onShutdown(runtime.logger, async (step) => {
    stopped = true;
    step("worker: finishing the job in hand and handing back claimed jobs");
    await worker?.stop();
    step("ops server");
    await ops?.close();
    step("connections");
    await runtime.close();
  });
  if (config.METRICS_PORT !== undefined) {
    ops = await startOpsServer({ port: config.METRICS_PORT, runtime }); // it logs "ops server listening"
  }
  await waitForServices(runtime);
  if (!stopped) worker = startWorker(config, runtime);
}

if (isEntryPoint(import.meta.url)) await main();
