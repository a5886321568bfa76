// `npm start`. With no configuration at all: the sandbox (embedded database, local Bot API, web chat on 127.0.0.1:8080;
// see sandbox/main.ts). With DATABASE_URL, REDIS_URL, the tokens… set: production, the three bots and the worker in
// one process (each can also run alone: npm run start:<name>).
import { loadConfigOrExit } from "./core/config.js";
import { createRuntime, onShutdown } from "./core/runtime.js";
import { networkConfigKeys, startNetwork } from "./app/network.js";
import { isSandboxRequested } from "./sandbox/mode.js";

if (isSandboxRequested(process.env)) {
  // Loaded only here: production never loads PGlite or the web chat.
  const { runSandboxFromCommandLine } = await import("./sandbox/main.js");
  await runSandboxFromCommandLine(process.argv.slice(2), process.env);
} else {
  const config = loadConfigOrExit(networkConfigKeys);
  const runtime = createRuntime(config, "cashback");
  runtime.logger.info({ mode: "production" }, "starting in production mode: three bots and the worker");
  const network = await startNetwork(config, runtime);
  onShutdown(runtime.logger, async () => {
    await network.stop();
    await runtime.close();
  });
}
