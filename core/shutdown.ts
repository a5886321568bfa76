import type { Logger } from "./logger.js";
import { lifecycle } from "./ops/health.js";

/**
 * How long a process may take to stop once signalled. Every process must be gone within 10 s (systemd's
 * `TimeoutStopSec=10s` then kills it): at 9 s it exits by itself with code 1, saying what was still pending, so a
 * stop that hangs (a request Telegram never answers, a pool that does not close) is logged rather than killed blind.
 */
export const shutdownDeadlineMs = 9_000;

/** Names the part of the stop under way, for the log line if the deadline passes during it. */
export type ShutdownStep = (name: string) => void;

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits 0 (1 if it failed or was still running at the deadline).
 * From the first signal on, the process reports itself draining (`/readyz` answers 503, so a load balancer stops
 * sending it work); a second signal while stopping is logged and changes nothing.
 */
export function onShutdown(logger: Logger, stop: (step: ShutdownStep) => Promise<void>): void {
  let stopping = false;
  let current = "stop";
  const handler = (signal: string) => {
    if (stopping) {
      logger.info({ signal }, "already shutting down");
      return;
    }
    stopping = true;
    lifecycle.draining = true;
    const started = Date.now();
    logger.info({ signal, deadlineMs: shutdownDeadlineMs }, "shutting down");
    setTimeout(() => {
      logger.error({ pending: current, activeResources: countResources() }, "shutdown deadline passed; exiting with work still pending");
      process.exit(1);
    }, shutdownDeadlineMs);
    stop((name) => (current = name))
      .then(() => {
        logger.info({ tookMs: Date.now() - started }, "stopped");
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ err, pending: current }, "shutdown failed");
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => handler("SIGTERM"));
  process.on("SIGINT", () => handler("SIGINT"));
}

/** What still keeps the event loop alive (sockets, timers…), counted by kind: a hint at what hung. */
function countResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}
