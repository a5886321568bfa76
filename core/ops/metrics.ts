// The process's Prometheus metrics (prom-client): one registry per process. Counters are moved where things happen
// (telegram/observe.ts for updates and Bot API calls, core/ledger for ledger writes); the figures that live in the
// database (jobs, broadcasts, Postgres connections) are read when /metrics is scraped, each read cut off after
// `scrapeTimeoutMs`, so a slow or absent database never holds /metrics up — those gauges are then left out and
// `cashback_scrape_postgres_up` says 0. Labels are bounded: bot, update type, API method, outcome, kind, state —
// never a chat, client or broadcast id.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Db } from "../../db/client.js";
import type { Runtime } from "../runtime.js";
import { withTimeout } from "./timeout.js";

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: "cashback_" });

const registers = [registry];

export const updatesTotal = new Counter({ name: "cashback_updates_total", help: "Telegram updates handled, by bot and update type", labelNames: ["bot", "type"] as const, registers });
export const updateErrorsTotal = new Counter({ name: "cashback_update_errors_total", help: "Updates whose handling failed (an unexpected error or an unavailable service; a user's mistake is not one)", labelNames: ["bot"] as const, registers });
export const updateDuration = new Histogram({
  name: "cashback_update_duration_seconds",
  help: "Time from an update's arrival to the end of its handling (waiting behind the same chat's earlier updates included)",
  labelNames: ["bot"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers,
});
export const telegramRequestsTotal = new Counter({
  name: "cashback_telegram_requests_total",
  help: "Bot API requests, each attempt counted (a retried call counts once per try): outcome ok, the error code, or network",
  labelNames: ["bot", "method", "outcome"] as const,
  registers,
});
export const telegram429Total = new Counter({ name: "cashback_telegram_429_total", help: "Bot API requests answered 429 Too Many Requests", labelNames: ["bot"] as const, registers });
export const messagesSentTotal = new Counter({ name: "cashback_messages_sent_total", help: "Messages Telegram accepted (send* and copyMessage calls that succeeded)", labelNames: ["bot"] as const, registers });
const ledgerWritesTotal = new Counter({ name: "cashback_ledger_writes_total", help: "Ledger entries written, by kind", labelNames: ["kind"] as const, registers });

/** Called where a ledger entry is written (one per entry, by its kind). */
export function countLedgerWrite(kind: string, n = 1): void {
  ledgerWritesTotal.inc({ kind }, n);
}

// ---- Read at scrape time ----------------------------------------------------------------------------------------

/** The longest a scrape waits for the database before it leaves its gauges out. */
export const scrapeTimeoutMs = 1_000;
/** The gauges of one scrape share one read (prom-client asks each gauge in parallel). */
const snapshotTtlMs = 500;

const jobStates = ["pending", "running", "dead"] as const;

type Snapshot = {
  jobs: Record<(typeof jobStates)[number], { count: number; oldestSeconds: number }>;
  broadcastsSending: number;
  /** Recipients of the broadcasts being sent, by delivery status. */
  recipients: Record<string, number>;
  /** Per watched process: its pool's size and its connections by state. */
  pools: { processName: string; max: number; connections: Record<string, number> }[];
};

const watched: { db: Db; processName: string }[] = [];
let snapshot: { at: number; value: Promise<Snapshot | null> } | undefined;

async function readSnapshot(): Promise<Snapshot> {
  const [first] = watched;
  if (!first) throw new Error("no runtime watched");
  const sql = first.db.$client;
  const [jobRows, recipientRows, sendingRows, pools] = await Promise.all([
    // Pending: how late the oldest due job is (one scheduled for later is not waiting yet). Running and dead: the
    // oldest one's age since it was enqueued.
    sql<{ state: string; count: number; oldest: number | null }[]>`
      SELECT status::text AS state, count(*)::int AS count,
        extract(epoch FROM now() - min(CASE WHEN status = 'pending' THEN run_at ELSE created_at END)
          FILTER (WHERE status <> 'pending' OR run_at <= now()))::float8 AS oldest
      FROM jobs WHERE status IN ('pending', 'running', 'dead') GROUP BY status`,
    sql<{ state: string; count: number }[]>`
      SELECT d.status::text AS state, count(*)::int AS count
      FROM broadcast_deliveries d JOIN broadcasts b ON b.id = d.broadcast_id
      WHERE b.status = 'sending' GROUP BY d.status`,
    sql<{ count: number }[]>`SELECT count(*)::int AS count FROM broadcasts WHERE status = 'sending'`,
    // postgres.js keeps no pool statistics: Postgres knows this pool's connections by the application_name the
    // process gave them (the connection running this query has the same one).
    Promise.all(
      watched.map(async ({ db, processName }) => {
        const rows = await db.$client<{ state: string; count: number }[]>`
          SELECT coalesce(state, 'unknown') AS state, count(*)::int AS count FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = current_setting('application_name') GROUP BY 1`;
        return { processName, max: Number(db.$client.options.max), connections: Object.fromEntries(rows.map((r) => [r.state, r.count])) };
      }),
    ),
  ]);
  const jobs = Object.fromEntries(jobStates.map((state) => [state, { count: 0, oldestSeconds: 0 }])) as Snapshot["jobs"];
  for (const row of jobRows) {
    if (row.state in jobs) jobs[row.state as keyof Snapshot["jobs"]] = { count: row.count, oldestSeconds: Math.max(0, row.oldest ?? 0) };
  }
  return { jobs, broadcastsSending: sendingRows[0]?.count ?? 0, recipients: Object.fromEntries(recipientRows.map((r) => [r.state, r.count])), pools };
}

/** This scrape's read of the database, or null if it failed or took too long (a failure is not retried until the next scrape). */
function currentSnapshot(): Promise<Snapshot | null> {
  if (!snapshot || Date.now() - snapshot.at > snapshotTtlMs) {
    snapshot = { at: Date.now(), value: withTimeout(readSnapshot(), scrapeTimeoutMs).catch(() => null) };
  }
  return snapshot.value;
}

/** A gauge filled from the snapshot at every scrape; left empty (its samples omitted) when the database did not answer. */
function snapshotGauge<L extends string>(config: { name: string; help: string; labelNames: readonly L[] }, fill: (gauge: Gauge<L>, s: Snapshot) => void) {
  return new Gauge<L>({
    ...config,
    registers: [],
    async collect() {
      this.reset();
      const s = await currentSnapshot();
      if (s) fill(this, s);
    },
  });
}

const scrapeGauges = [
  new Gauge({
    name: "cashback_scrape_postgres_up",
    help: "1 if this scrape could read the database-backed gauges (jobs, broadcasts, connections), 0 if they are left out",
    registers: [],
    async collect() {
      this.set((await currentSnapshot()) ? 1 : 0);
    },
  }),
  snapshotGauge({ name: "cashback_jobs", help: "Outbox jobs by state (pending, running, dead)", labelNames: ["state"] }, (g, s) => {
    for (const state of jobStates) g.set({ state }, s.jobs[state].count);
  }),
  snapshotGauge({ name: "cashback_job_oldest_age_seconds", help: "Pending: how long the oldest due job has waited; running and dead: the oldest one's age", labelNames: ["state"] }, (g, s) => {
    for (const state of jobStates) g.set({ state }, s.jobs[state].oldestSeconds);
  }),
  snapshotGauge({ name: "cashback_broadcasts_sending", help: "Broadcasts being sent", labelNames: [] }, (g, s) => g.set(s.broadcastsSending)),
  snapshotGauge({ name: "cashback_broadcast_recipients", help: "Recipients of the broadcasts being sent, by delivery status (pending, sending, sent, unreachable, uncertain, failed)", labelNames: ["status"] }, (g, s) => {
    for (const status of ["pending", "sending", "sent", "unreachable", "uncertain", "failed"]) g.set({ status }, s.recipients[status] ?? 0);
  }),
  snapshotGauge({ name: "cashback_pg_pool_max", help: "The size of this process's Postgres pool", labelNames: ["process"] }, (g, s) => {
    for (const pool of s.pools) g.set({ process: pool.processName }, pool.max);
  }),
  snapshotGauge({ name: "cashback_pg_connections", help: "This process's open Postgres connections by state (active, idle, idle in transaction…), from pg_stat_activity", labelNames: ["process", "state"] }, (g, s) => {
    for (const pool of s.pools) for (const [state, n] of Object.entries(pool.connections)) g.set({ process: pool.processName, state }, n);
  }),
];

/**
 * Registers the collectors read at scrape time for this process: Postgres pool use, jobs pending/running/dead and
 * their age, broadcast progress. `processName` labels the pool metrics. Safe to call once per runtime.
 */
export function watchRuntime(runtime: Pick<Runtime, "db" | "redis">, processName: string): void {
  if (watched.some((w) => w.db === runtime.db)) return;
  watched.push({ db: runtime.db, processName });
  if (watched.length === 1) for (const gauge of scrapeGauges) registry.registerMetric(gauge);
}

/** The Prometheus text exposition of this process's registry. */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}
