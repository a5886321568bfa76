// `npm start`: the three bots and the worker in one process (each can also run alone: npm run start:<name>).
import { loadConfigOrExit } from "./core/config.js";
import { createRuntime, onShutdown } from "./core/runtime.js";
import { startAdminBot } from "./bots/admin/main.js";
import { startClientBot } from "./bots/client/main.js";
import { startPartnerBot } from "./bots/partner/main.js";
import { startWorker, workerConfigKeys } from "./worker/main.js";

const config = loadConfigOrExit(workerConfigKeys);
const runtime = createRuntime(config, "cashback");
const bots = [await startClientBot(config, runtime), await startPartnerBot(config, runtime), await startAdminBot(config, runtime)];
const worker = startWorker(config, runtime);
onShutdown(runtime.logger, async () => {
  await Promise.all(bots.map((b) => b.stop()));
  await worker.stop();
  await runtime.close();
});
