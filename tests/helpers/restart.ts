import { tokens, type ProcessName } from "./processes.js";
import type { useProduct } from "../e2e/harness.js";

type Product = ReturnType<typeof useProduct>;
type BotName = keyof typeof tokens;

const until = async (done: () => boolean | Promise<boolean>, timeoutMs: number, what: string) => {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (await done()) return;
  throw new Error(`timed out: ${what}`);
};

/**
 * The crash the conversations plugin cannot hide: `bot`'s process performs a step — its database write, its
 * replies — and dies before the conversation's state is saved (FAULT_CRASH_BEFORE_CONVERSATION_SAVE, see
 * bots/shared/faults.ts). A fresh process then gets the same update again (Telegram redelivers what was not
 * confirmed; if the dead process had confirmed it, the user pressing or sending again is the same replay) and
 * replays the step from the state saved before it. Call when the conversation waits for `send`'s update.
 * Returns once the replayed update is handled.
 */
export async function crashAfterStepThenReplay(product: Product, bot: BotName, send: () => number | Promise<number>): Promise<number> {
  const name: ProcessName = bot;
  await product.process(name).stop();
  await product.startProcess(name, { FAULT_CRASH_BEFORE_CONVERSATION_SAVE: "1" });
  const crashing = product.process(name);
  const updateId = await send();
  await until(() => !crashing.running, 30_000, `${bot} should have died before saving the conversation after update ${updateId}`);
  await product.startProcess(name);
  if (product.fake.confirmedOffset(tokens[bot]) > updateId) product.fake.redeliver(tokens[bot], updateId);
  await product.handled(bot, updateId, 30_000);
  return updateId;
}

/** Waits `ms` so that anything that would arrive late (a second notification, a second reply) has had time to. */
export const settle = (ms = 1_500) => new Promise((r) => setTimeout(r, ms));
