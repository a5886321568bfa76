import type { Config } from "../core/config.js";
import type { Runtime } from "../core/runtime.js";
import { adminBot } from "../bots/admin/main.js";
import { clientBot } from "../bots/client/main.js";
import { partnerBot } from "../bots/partner/main.js";
import { startBot } from "../bots/shared/launch.js";
import { startWorker, workerConfigKeys } from "../worker/main.js";

/** What the whole network in one process needs: the worker's settings, and APP_SECRET (the bots register and delete clients). */
export const networkConfigKeys = [...workerConfigKeys, "APP_SECRET", "FAULT_CRASH_BEFORE_CONVERSATION_SAVE", "PUBLIC_URL"] as const;
export type NetworkConfig = Pick<Config, (typeof networkConfigKeys)[number]>;

/**
 * The three bots and the worker on one runtime: the product as `npm start` runs it, in production and in the sandbox
 * alike (only the runtime's adapters and the config's addresses differ).
 */
export async function startNetwork(config: NetworkConfig, runtime: Runtime): Promise<{ stop(): Promise<void> }> {
  const bots: Awaited<ReturnType<typeof startBot>>[] = [];
  try {
    for (const spec of [clientBot, partnerBot, adminBot]) bots.push(await startBot(spec, config, runtime));
  } catch (err) {
    // One that could not start stops the ones that did: no half-started network keeps polling.
    await Promise.all(bots.map((b) => b.stop()));
    throw err;
  }
  const worker = startWorker(config, runtime);
  return {
    async stop() {
      await Promise.all(bots.map((b) => b.stop()));
      await worker.stop();
    },
  };
}
