// `npm start`. With no configuration at all: the sandbox (embedded database, local Bot API, web chat on 127.0.0.1:8080;
// see sandbox/main.ts). With DATABASE_URL, REDIS_URL, the tokens… set: production, the three bots, the worker and the
// web server (Mini App and dashboard, on PORT) in one process (each can also run alone: npm run start:<name>).
import { loadConfigOrExit } from "./core/config.js";
import { listen } from "./core/ops/http.js";
import { watchRuntime } from "./core/ops/metrics.js";
import { createRuntime } from "./core/runtime.js";
import { onShutdown } from "./core/shutdown.js";
import { networkConfigKeys, startNetwork } from "./app/network.js";
import { isSandboxRequested } from "./sandbox/mode.js";
import { createWebListener, webConfigKeys } from "./web/server/main.js";
import { ensureWebPagesBuilt } from "./web/pages.js";

if (isSandboxRequested(process.env)) {
  // Loaded only here: production never loads PGlite or the web chat.
  const { runSandboxFromCommandLine } = await import("./sandbox/main.js");
  await runSandboxFromCommandLine(process.argv.slice(2), process.env);
} else {
  const config = loadConfigOrExit([...new Set([...networkConfigKeys, ...webConfigKeys])]);
  const runtime = createRuntime(config, "cashback");
  watchRuntime(runtime, "cashback");
  runtime.logger.info({ mode: "production", webhooks: config.WEBHOOK_URL !== undefined }, "starting in production mode: three bots, the worker and the web server");
  const network = await startNetwork(config, runtime);
  // The pages are built (by Vite, only when their sources changed) while the bots already serve.
  const pages = await ensureWebPagesBuilt();
  const web = createWebListener(config, runtime, pages);
  // One HTTP server on PORT: the bots' webhooks (with WEBHOOK_URL), else the web app, which answers /healthz,
  // /readyz and /metrics itself.
  const server = await listen((req, res) => network.webhooks(req, res) || web(req, res), { port: config.PORT });
  runtime.logger.info({ url: server.url, publicUrl: config.PUBLIC_URL ?? null }, "web server listening");
  onShutdown(runtime.logger, async (step) => {
    // The bots first: they finish the updates in hand (a webhook post meanwhile gets 503, which Telegram retries).
    step("bots and worker");
    await network.stop();
    step("web server");
    await server.close();
    step("connections");
    await runtime.close();
  });
}
