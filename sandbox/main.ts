import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { z } from "zod";
import { networkConfigKeys, startNetwork } from "../app/network.js";
import { ConfigError, parseConfig } from "../core/config.js";
import { createLogger } from "../core/logger.js";
import { createRuntime } from "../core/runtime.js";
import { onShutdown } from "../core/shutdown.js";
import { runMigrations } from "../db/migrate.js";
import { seedDemoData } from "./demo-data.js";
import { listPersonas } from "./personas.js";
import { startEmbeddedPostgres } from "./postgres.js";
import { defaultSandboxDataDir, defaultSandboxPort, sandboxAdmin, sandboxBots, sandboxHost } from "./settings.js";
import { startStateServer } from "./state-server.js";
import { LocalBotApi } from "./telegram/bot-api.js";
import { ensureWebChatBuilt } from "./web-chat/build.js";
import { startWebChatServer } from "./web-chat/server.js";
import { ensureWebPagesBuilt } from "../web/pages.js";
import { createWebListener, webConfigKeys } from "../web/server/main.js";

export type SandboxOptions = {
  /** Where everything the sandbox keeps lives (database, state, chats). */
  dataDir: string;
  /** The web chat's port on 127.0.0.1 (0: any free port). */
  port: number;
  /** Start over: delete `dataDir` first. */
  reset: boolean;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
};

export type Sandbox = { url: string; dataDir: string; stop(): Promise<void> };

/**
 * The whole network on this machine, for trying it out: the same product code as production (three bots, worker),
 * with the adapters swapped in this one place — PGlite for Postgres, an in-process Redis-protocol server for Redis, a
 * local Bot API for Telegram — and a web chat page in place of the Telegram app. Listens on 127.0.0.1 only.
 */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  // Before the slow part: a taken port is reported at once, not after the database has been created.
  if (options.port !== 0) await assertPortFree(sandboxHost, options.port);
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  // The lock first: --reset must never delete the data of a sandbox that is running on it.
  const releaseLock = lockDataDir(dataDir);
  if (options.reset) {
    for (const entry of readdirSync(dataDir)) if (entry !== lockFileName) rmSync(join(dataDir, entry), { recursive: true, force: true });
  }
  const stops: (() => Promise<void> | void)[] = [releaseLock];
  const stopAll = async () => {
    for (const stop of [...stops].reverse()) await stop();
  };
  const logger = createLogger(options.logLevel, "sandbox");
  const started = performance.now();
  /** Each step's time, for `LOG_LEVEL=info npm start` (where the start-up time goes). */
  const timed = async <T>(step: string, run: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await run();
    logger.info({ step, ms: Math.round(performance.now() - t0), sinceStartMs: Math.round(performance.now() - started) }, "sandbox step done");
    return result;
  };
  // The page is built (when its sources changed) by Vite's native workers while this thread creates the database.
  const page = timed("web chat page built", () => ensureWebChatBuilt());
  page.catch(() => undefined); // awaited below; a failure before then must not be an unhandled rejection
  try {
    // Each part is registered for stopping as soon as it is up, so a failure of another stops it too.
    const up = <T extends object>(part: Promise<T>, stop: (t: T) => Promise<void>) => part.then((t) => (stops.push(() => stop(t)), t));
    const [postgres, state, botApi] = await allStarted([
      up(timed("embedded Postgres", () => startEmbeddedPostgres(join(dataDir, "postgres"))), (p) => p.close()),
      up(timed("state server", () => startStateServer({ dir: join(dataDir, "state") })), (s) => s.close()),
      up(
        timed("local Bot API", () => LocalBotApi.start({ journalPath: join(dataDir, "telegram", "journal.jsonl"), recordCalls: false })),
        (b) => b.stop(),
      ),
    ] as const);
    if (botApi.skippedJournalLines > 0) logger.warn({ skipped: botApi.skippedJournalLines }, "local Bot API: damaged lines of the chats' journal were skipped");
    for (const bot of Object.values(sandboxBots)) botApi.addBot(bot.token, { id: bot.id, username: bot.username, first_name: bot.firstName });

    const config = parseConfig(
      {
        DATABASE_URL: postgres.url,
        REDIS_URL: state.url,
        CLIENT_BOT_TOKEN: sandboxBots.client.token,
        PARTNER_BOT_TOKEN: sandboxBots.partner.token,
        ADMIN_BOT_TOKEN: sandboxBots.admin.token,
        ADMIN_IDS: String(sandboxAdmin.id),
        TELEGRAM_API_ROOT: botApi.url,
        LOG_LEVEL: options.logLevel,
        APP_SECRET: appSecretOf(dataDir),
        // One person plays many roles quickly in the web chat: the per-user limit stays, at a pace no one clicks at.
        RATE_LIMIT_MAX: "30",
        FAULT_CRASH_BEFORE_CONVERSATION_SAVE: process.env.FAULT_CRASH_BEFORE_CONVERSATION_SAVE,
      },
      [...new Set([...networkConfigKeys, ...webConfigKeys])],
    );
    const runtime = createRuntime(config, "sandbox", { dbPoolMax: 1 });
    stops.push(() => runtime.close());
    await timed("migrations", () => runMigrations(runtime.db));
    await timed("demo data", () => seedDemoData(runtime.db, { appSecret: config.APP_SECRET, now: runtime.clock.now(), adminId: sandboxAdmin.id }));

    // The web chat also serves the web server's paths (Mini App, dashboard, their API) on the same port. Its address
    // is PUBLIC_URL, known once it listens (SANDBOX_PORT=0 picks any port), so the web app is mounted right after.
    let webApp: ReturnType<typeof createWebListener> | undefined;
    const web = await startWebChatServer({
      host: sandboxHost,
      port: options.port,
      botApi,
      bots: sandboxBots,
      staticDir: await page,
      listPersonas: () => listPersonas(runtime.db, config.ADMIN_IDS),
      dataDir,
      logger: runtime.logger,
      webApp: (req, res) => (webApp ? webApp(req, res) : void res.writeHead(503, { "retry-after": "5" }).end("The Mini App and the dashboard are being built; try again in a few seconds.")),
    });
    stops.push(() => web.close());
    const withAddress = { ...config, PUBLIC_URL: web.url };
    const network = await timed("bots and worker", () => startNetwork(withAddress, runtime));
    stops.push(() => network.stop());
    // The Mini App and the dashboard are built (when their sources changed) only once the web chat is ready, so a
    // first start is not slowed by three builds at once; their paths answer 503 for those few seconds.
    timed("Mini App and dashboard built", () => ensureWebPagesBuilt()).then(
      (pages) => void (webApp = createWebListener(withAddress, runtime, pages)),
      (err: unknown) => logger.error({ err }, "the Mini App and the dashboard could not be built"),
    );
    return { url: web.url, dataDir, stop: stopAll };
  } catch (err) {
    await stopAll().catch(() => undefined);
    throw err;
  }
}

/** Like Promise.all, but waits for every part to settle before rejecting, so none is left starting unseen. */
async function allStarted<T extends readonly Promise<unknown>[]>(parts: T): Promise<{ [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(parts);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as { [K in keyof T]: Awaited<T[K]> };
}

/** APP_SECRET keys the hashes kept of deleted clients: made once per sandbox and kept with its data, never changed. */
function appSecretOf(dataDir: string): string {
  const file = join(dataDir, "app-secret");
  if (!existsSync(file)) {
    // Written aside and renamed: a sandbox killed right here leaves no empty secret behind.
    writeFileSync(`${file}.tmp`, randomBytes(32).toString("hex"), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }
  return readFileSync(file, "utf8").trim();
}

const lockFileName = "sandbox.pid";

/**
 * One sandbox per data directory: two would both write the same embedded database and corrupt it. A lock left by a
 * killed sandbox (its process is gone) is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, lockFileName);
  try {
    writeFileSync(file, String(process.pid), { flag: "wx" }); // fails if the file exists: two starts cannot both take it
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    const pid = Number(readFileSync(file, "utf8"));
    if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) {
      throw new SandboxError(`another sandbox (pid ${pid}) is using ${dataDir}; stop it, or set SANDBOX_DATA_DIR to another folder`);
    }
    writeFileSync(file, String(process.pid));
  }
  return () => rmSync(file, { force: true });
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Rejects with EADDRINUSE (or whatever else stops a listen) if nothing could listen on host:port now. */
function assertPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** A problem the user can fix, reported as one line. */
export class SandboxError extends Error {}

const sandboxEnv = z.object({
  SANDBOX_DATA_DIR: z.string().min(1).default(defaultSandboxDataDir),
  SANDBOX_PORT: z.coerce.number().int().min(0).max(65_535).default(defaultSandboxPort),
  // The sandbox talks to a person at a terminal: only warnings and errors, unless asked.
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("warn"),
});

/** `npm start` with no configuration: parse `--reset` and the SANDBOX_* variables, start, print the address, stop on Ctrl+C. */
export async function runSandboxFromCommandLine(args: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  const unknown = args.filter((a) => a !== "--reset");
  const parsed = sandboxEnv.safeParse(env);
  if (unknown.length > 0 || !parsed.success) {
    const problem = unknown.length > 0 ? `unknown argument ${unknown[0]} (the sandbox takes only --reset)` : `${String(parsed.error!.issues[0]!.path[0])} is invalid: ${parsed.error!.issues[0]!.message}`;
    process.stderr.write(`sandbox: ${problem}\n`);
    process.exit(1);
  }
  const { SANDBOX_DATA_DIR, SANDBOX_PORT, LOG_LEVEL } = parsed.data;
  process.stdout.write("Sandbox mode (no DATABASE_URL, REDIS_URL or bot tokens set): starting an embedded database, a local Telegram and the web chat…\n");
  const started = Date.now();
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({ dataDir: SANDBOX_DATA_DIR, port: SANDBOX_PORT, reset: args.includes("--reset"), logLevel: LOG_LEVEL });
  } catch (err) {
    const message = err instanceof SandboxError || err instanceof ConfigError ? err.message : portInUse(err) ? `port ${SANDBOX_PORT} is in use; set SANDBOX_PORT to another one` : null;
    if (message === null) throw err;
    process.stderr.write(`sandbox: ${message}\n`);
    process.exit(1);
  }
  process.stdout.write(
    `Sandbox ready in ${((Date.now() - started) / 1000).toFixed(1)} s — NOT for real customers — open ${sandbox.url} ` +
      `(data in ${SANDBOX_DATA_DIR}; \`npm start -- --reset\` starts over)\n`,
  );
  onShutdown(createLogger(LOG_LEVEL, "sandbox"), async () => {
    await sandbox.stop();
    process.stdout.write(`Sandbox stopped; \`npm start\` continues where you were.\n`);
  });
}

const portInUse = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code === "EADDRINUSE";
