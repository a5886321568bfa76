import { setTimeout as sleep } from "node:timers/promises";
import { HttpError } from "grammy";
import type { Logger } from "../core/logger.js";

/** How often the worker asks Telegram whether it is back, while it is unreachable. */
const probeEveryMs = 1_000;

/**
 * Whether the worker can reach the Bot API, as it last saw it. A send that fails on the network (connection refused
 * or reset, DNS, timeout) marks Telegram unreachable: the outbox then stops taking jobs that send (they wait without
 * losing attempts) while everything else — redemption expiries, the nightly analytics — goes on. A probe (getMe)
 * every second notices the return, so sending resumes within about a second of it. Logged once each way.
 */
export class TelegramLink {
  private downSince: number | undefined;
  private readonly stopped = new AbortController();

  constructor(
    private readonly probe: () => Promise<unknown>,
    private readonly logger: Logger,
  ) {}

  get up(): boolean {
    return this.downSince === undefined;
  }

  /** A send failed with `err`, a network error (see {@link isNetworkError}): pause sending until a probe gets through. */
  lost(err: unknown): void {
    if (this.downSince !== undefined || this.stopped.signal.aborted) return;
    this.downSince = Date.now();
    this.logger.warn({ reason: err instanceof Error ? err.message : String(err) }, "Telegram is unreachable; sending paused until it answers");
    void this.watch();
  }

  private async watch(): Promise<void> {
    const { signal } = this.stopped;
    while (this.downSince !== undefined && !signal.aborted) {
      await sleep(probeEveryMs, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      try {
        await this.probe();
      } catch (err) {
        if (isNetworkError(err)) continue; // any answer, even an error, means Telegram is back
      }
      if (signal.aborted) return;
      this.logger.info({ downForMs: Date.now() - this.downSince }, "Telegram is reachable again; sending resumes");
      this.downSince = undefined;
    }
  }

  /** Stops probing at once (a probe in flight is not waited for: the process is stopping). */
  stop(): void {
    this.stopped.abort();
  }
}

/** The request never got an answer from Telegram (as opposed to an answer that is an error, like 400 or 403). */
export const isNetworkError = (err: unknown): boolean => err instanceof HttpError;
