// A process that stops with onShutdown, for tests/worker/process-shutdown.test.ts. argv[2]: "quick" (stop takes
// 300 ms) or "hang" (stop never ends).
import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import { lifecycle } from "../../core/ops/health.js";
import { onShutdown } from "../../core/shutdown.js";

const logger = pino();
let stops = 0;
onShutdown(logger, async (step) => {
  stops++;
  logger.info({ stops, draining: lifecycle.draining }, "stop began");
  if (process.argv[2] === "hang") {
    step("a request nobody answers");
    await new Promise(() => {});
  }
  await sleep(300);
});
setInterval(() => {}, 1_000); // work that would keep the process alive
logger.info("ready");
