// `npm run start:web`: the web server alone (the Mini App, the dashboard and their API) on PORT.
import type { IncomingMessage, ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { loadConfigOrExit, type Config } from "../../core/config.js";
import { listen, opsRoutes } from "../../core/ops/http.js";
import { watchRuntime } from "../../core/ops/metrics.js";
import { isEntryPoint } from "../../core/process.js";
import { createRuntime, waitForServices, type Runtime } from "../../core/runtime.js";
import { onShutdown } from "../../core/shutdown.js";
import { ensureWebPagesBuilt } from "../pages.js";
import { createWebApp } from "./app.js";
import type { WebDeps } from "./context.js";

export const webConfigKeys = ["DATABASE_URL", "REDIS_URL", "LOG_LEVEL", "CLIENT_BOT_TOKEN", "ADMIN_IDS", "TELEGRAM_API_ROOT", "PORT", "PUBLIC_URL", "INIT_DATA_MAX_AGE_SECONDS"] as const;
export type WebConfig = Pick<Config, (typeof webConfigKeys)[number]>;

export type WebServer = {
  /** http://host:port the server listens on. */
  url: string;
  /** The node request listener: the sandbox's web chat server hands the web paths to it. */
  listener: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
};

/**
 * The client bot's @username for the referral link. The bots publish theirs in Redis when they start (the key
 * `bot-username:<bot>` of bots/shared/deps.ts, written out here because the web server does not import bots/);
 * when no bot has run yet, Telegram's getMe answers with the client bot's token. Kept once known.
 */
export function clientBotUsernameSource(config: Pick<WebConfig, "CLIENT_BOT_TOKEN" | "TELEGRAM_API_ROOT">, runtime: Pick<Runtime, "redis" | "logger">): () => Promise<string> {
  let known: string | undefined;
  return async () => {
    if (known) return known;
    const published = await runtime.redis.get("bot-username:client").catch(() => null);
    if (published) return (known = published);
    const res = await fetch(`${config.TELEGRAM_API_ROOT}/bot${config.CLIENT_BOT_TOKEN}/getMe`, { signal: AbortSignal.timeout(5_000) });
    const body = (await res.json()) as { ok?: boolean; result?: { username?: string } };
    if (!body.ok || !body.result?.username) throw new Error(`getMe of the client bot failed (HTTP ${res.status})`);
    return (known = body.result.username);
  };
}

/**
 * The web app on the runtime's connections, as a node request listener (the sandbox mounts it in its web chat
 * server): GET /healthz, /readyz and /metrics as in every process (core/ops/http.ts), everything else the Hono app.
 */
export function createWebListener(config: WebConfig, runtime: Runtime, pages: WebDeps["pages"]): (req: IncomingMessage, res: ServerResponse) => void {
  const app = createWebApp({
    db: runtime.db,
    redis: runtime.redis,
    logger: runtime.logger,
    clock: runtime.clock,
    clientBotToken: config.CLIENT_BOT_TOKEN,
    adminIds: config.ADMIN_IDS,
    ...(config.PUBLIC_URL !== undefined && { publicUrl: config.PUBLIC_URL }),
    initDataMaxAgeSeconds: config.INIT_DATA_MAX_AGE_SECONDS,
    clientBotUsername: clientBotUsernameSource(config, runtime),
    pages,
  });
  const handle = getRequestListener(app.fetch);
  const ops = opsRoutes(runtime);
  return (req, res) => {
    if (ops(req, res)) return;
    handle(req, res).catch((err: unknown) => runtime.logger.error({ err }, "web request failed"));
  };
}

/**
 * Builds the app on the runtime's connections and listens on `port` (0: any free port) on `host` (default: all
 * interfaces). `pages` are the built pages' dist folders (omitted: API only).
 */
export async function startWebServer(
  config: WebConfig,
  runtime: Runtime,
  options: { host?: string; port: number; pages?: WebDeps["pages"] },
): Promise<WebServer> {
  const listener = createWebListener(config, runtime, options.pages ?? { miniApp: null, dashboard: null });
  const server = await listen(listener, { port: options.port, ...(options.host !== undefined && { host: options.host }) });
  return { ...server, listener };
}

if (isEntryPoint(import.meta.url)) {
  const config = loadConfigOrExit(webConfigKeys);
  const runtime = createRuntime(config, "web");
  watchRuntime(runtime, "web");
  // Started while Postgres or Redis is down, the server waits for them (one log line each) instead of crash-looping.
  await waitForServices(runtime);
  const pages = await ensureWebPagesBuilt();
  const server = await startWebServer(config, runtime, { port: config.PORT, pages });
  runtime.logger.info({ url: server.url, publicUrl: config.PUBLIC_URL ?? null }, "web server listening");
  onShutdown(runtime.logger, async () => {
    await server.close();
    await runtime.close();
  });
}
