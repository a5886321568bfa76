import type { Config } from "../core/config.js";
import type { Runtime } from "../core/runtime.js";
import { adminBot } from "../bots/admin/main.js";
import { clientBot } from "../bots/client/main.js";
import { partnerBot } from "../bots/partner/main.js";
import { startBot } from "../bots/shared/launch.js";
import { startWorker, workerConfigKeys } from "../worker/main.js";

/** What the whole network in one process needs: the worker's settings, and APP_SECRET (the bots register and delete clients). */
export const networkConfigKeys = [...workerConfigKeys, "APP_SECRET", "FAULT_CRASH_BEFORE_CONVERSATION_SAVE"] as const;
export type NetworkConfig = Pick<Config, (typeof networkConfigKeys)[number]>;

/**
 * The three bots and the worker on one runtime: the product as `npm start` runs it, in production and in the sandbox
 * alike (only the runtime's adapters and the config's addresses differ).
 */
export async function startNetwork(config: NetworkConfig, runtime: Runtime): Promise<{ stop(): Promise<void> }> {
  const bots = [await startBot(clientBot, config, runtime), await startBot(partnerBot, config, runtime), await startBot(adminBot, config, runtime)];
  const worker = startWorker(config, runtime);
  return {
    async stop() {
      await Promise.all(bots.map((b) => b.stop()));
      await worker.stop();
    },
  };
}
