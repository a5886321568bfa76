import type { Config } from "../core/config.js";
import type { Runtime } from "../core/runtime.js";
import { adminBot } from "../bots/admin/main.js";
import { clientBot } from "../bots/client/main.js";
import { partnerBot } from "../bots/partner/main.js";
import { startBot, type LaunchedBot } from "../bots/shared/launch.js";
import type { RequestHandler } from "../bots/shared/webhook.js";
import { startWorker, workerConfigKeys } from "../worker/main.js";

/**
 * What the whole network in one process needs: the worker's settings, APP_SECRET (the bots register and delete
 * clients, and derive their webhook secrets from it) and WEBHOOK_URL (unset: the bots poll).
 */
export const networkConfigKeys = [...workerConfigKeys, "APP_SECRET", "FAULT_CRASH_BEFORE_CONVERSATION_SAVE", "PUBLIC_URL", "WEBHOOK_URL"] as const;
export type NetworkConfig = Pick<Config, (typeof networkConfigKeys)[number]>;

export type Network = {
  /**
   * With WEBHOOK_URL, the three bots' webhook paths, to put in front of the process's HTTP server's own listener;
   * returns false for any other request (and always when polling).
   */
  webhooks: RequestHandler;
  /** Stops the bots (they finish the updates in hand) and the worker. */
  stop(): Promise<void>;
};

/**
 * The three bots and the worker on one runtime: the product as `npm start` runs it, in production and in the sandbox
 * alike (only the runtime's adapters and the config's addresses differ).
 */
export async function startNetwork(config: NetworkConfig, runtime: Runtime): Promise<Network> {
  const bots: LaunchedBot[] = [];
  try {
    for (const spec of [clientBot, partnerBot, adminBot]) bots.push(await startBot(spec, config, runtime));
  } catch (err) {
    // One that could not start stops the ones that did: no half-started network keeps polling.
    await Promise.all(bots.map((b) => b.stop()));
    throw err;
  }
  const worker = startWorker(config, runtime);
  return {
    webhooks: (req, res) => bots.some((b) => b.webhook?.(req, res) === true),
    async stop() {
      // At once, not one after the other: together they must fit the shutdown's 10 s.
      await Promise.all([...bots.map((b) => b.stop()), worker.stop()]);
    },
  };
}
