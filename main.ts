// `npm start`: the three bots and the worker in one process (each can also run alone: npm run start:<name>).
import { loadConfigOrExit } from "./core/config.js";
import { createRuntime, onShutdown } from "./core/runtime.js";
import { adminBot } from "./bots/admin/main.js";
import { clientBot } from "./bots/client/main.js";
import { partnerBot } from "./bots/partner/main.js";
import { startBot } from "./bots/shared/launch.js";
import { startWorker, workerConfigKeys } from "./worker/main.js";

// The bots register and delete clients: they need APP_SECRET, which the worker alone does not.
const config = loadConfigOrExit([...workerConfigKeys, "APP_SECRET"]);
const runtime = createRuntime(config, "cashback");
const bots = [await startBot(clientBot, config, runtime), await startBot(partnerBot, config, runtime), await startBot(adminBot, config, runtime)];
const worker = startWorker(config, runtime);
onShutdown(runtime.logger, async () => {
  await Promise.all(bots.map((b) => b.stop()));
  await worker.stop();
  await runtime.close();
});
