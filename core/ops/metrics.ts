// STUB (issue 11): the interface is fixed; the helper who owns this file fills in the bodies.
import type { Runtime } from "../runtime.js";

/** Called where a ledger entry is written (one per entry, by its kind). */
export function countLedgerWrite(_kind: string, _n = 1): void {}

/**
 * Registers the collectors read at scrape time for this process: Postgres pool use, jobs pending/running/dead and
 * their age, broadcast progress. `processName` labels the pool metrics. Safe to call once per runtime.
 */
export function watchRuntime(_runtime: Pick<Runtime, "db" | "redis">, _processName: string): void {}

/** The Prometheus text exposition of this process's registry. */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
  return { contentType: "text/plain; version=0.0.4; charset=utf-8", body: "" };
}
