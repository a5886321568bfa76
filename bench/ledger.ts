// `npm run bench`: throughput and latency of the ledger's money paths (accrual; redemption = request + confirm)
// against a real Postgres, next to pgbench's tpcb-like run on the same machine as the ceiling.
//
// It works in two scratch databases of its own (cashback_bench, cashback_pgbench), created at the start and
// dropped at the end; nothing else on the server is touched. A missed target is reported, not turned into an
// exit code: the process fails only if something crashed.
//
// Environment: BENCH_SECONDS (per scenario, default 10), PGBENCH_SECONDS (default 20),
// BENCH_DATABASE_ADMIN_URL (a superuser connection to an existing database; default the local `postgres`).
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import { adminUrl, percentile, table, urlFor, withAdmin } from "./scratch.js";
import { findBalanceDrift } from "../core/ledger/post.js";
import { accrue, confirmRedemption, requestRedemption } from "../core/ledger/service.js";
import { moderateApplication, submitApplication } from "../core/partners/service.js";
import { updateNetworkSettings } from "../core/settings/service.js";
import { closeDb, createDb, type Db } from "../db/client.js";
import { runMigrations } from "../db/migrate.js";

const execFileAsync = promisify(execFile);

// ---------------------------------------------------------------------------------------------
// Configuration

function positiveNumberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number of seconds, got "${raw}"`);
  return value;
}

const scenarioSeconds = positiveNumberFromEnv("BENCH_SECONDS", 10);
const pgbenchSeconds = positiveNumberFromEnv("PGBENCH_SECONDS", 20);
const warmUpSeconds = 1;
const workers = 8;
const clientCount = 10_000;
const seedPoints = 1_000_000;
const pgbenchScale = 8;
const benchDbName = "cashback_bench";
const pgbenchDbName = "cashback_pgbench";

const targets = { accrualShareOfPgbench: 0.8, p99Ms: 20 };

// ---------------------------------------------------------------------------------------------
// Scratch databases

/** FORCE: a previous run that crashed may have left connections (or the database) behind. */
const dropDatabase = (name: string) => withAdmin((admin) => admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));

async function recreateDatabase(name: string): Promise<void> {
  await dropDatabase(name);
  await withAdmin((admin) => admin.unsafe(`CREATE DATABASE "${name}"`));
}

// ---------------------------------------------------------------------------------------------
// Seed

/** One partner per worker: a client has one open redemption request per partner, so eight tills mean eight partners. */
type Fixture = { tills: { partnerId: number; staffTelegramId: number }[]; clientIds: number[] };

/**
 * One approved partner through the real use-cases, then 10,000 clients in bulk: registering them one by one
 * would take longer than the benchmark. Each starts with `seedPoints` (so redemptions never run dry), set by a
 * matching 'adjustment' ledger row, so balances equal the ledger sum just as if `adjustBalance` had been used.
 */
async function seed(db: Db): Promise<Fixture> {
  const adminTelegramId = 1;
  const staffTelegramId = 1_000;
  // Only so the bulk-inserted clients are consistent with what registration would have paid them (nothing).
  await updateNetworkSettings(db, { adminTelegramId, patch: { welcomeBonus: 0 } });
  const tills: Fixture["tills"] = [];
  for (let i = 0; i < workers; i++) {
    const owner = staffTelegramId + i;
    const applied = await submitApplication(db, { telegramId: owner, name: `Bench Café ${i + 1}`, category: "cafe", address: "Bench street 1", contactName: "Bench", phone: "+79990000000" });
    const partner = await moderateApplication(db, { adminTelegramId, partnerId: applied.id, verdict: { decision: "approve" } });
    tills.push({ partnerId: partner.id, staffTelegramId: owner });
  }

  await db.transaction(async (tx) => {
    await tx.execute(sql`
      INSERT INTO clients (telegram_id, first_name, referral_code)
      SELECT 5000000 + i, 'Client ' || i, 'B' || lpad(i::text, 7, '0') FROM generate_series(1, ${clientCount}::int) AS i`);
    await tx.execute(sql`INSERT INTO balances (client_id, points) SELECT id, ${seedPoints}::bigint FROM clients`);
    await tx.execute(sql`
      INSERT INTO ledger_entries (client_id, kind, points, balance_after, idempotency_key, actor_type, reason)
      SELECT id, 'adjustment', ${seedPoints}::bigint, ${seedPoints}::bigint, 'bench-seed:' || id, 'system', 'benchmark seed' FROM clients`);
  });
  // Fresh statistics, so the planner does not treat the freshly filled tables as empty.
  await db.execute(sql`ANALYZE clients, balances, ledger_entries`);
  const rows = await db.execute<{ id: string }>(sql`SELECT id FROM clients ORDER BY id`);
  return { tills, clientIds: rows.map((r) => Number(r.id)) };
}

// ---------------------------------------------------------------------------------------------
// Load generator

type ScenarioResult = {
  name: string;
  /** Whether the accrual throughput target applies to this row. */
  isAccrual: boolean;
  ops: number;
  opsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  /** Distinct error messages with how often each occurred. */
  errorSamples: Map<string, number>;
};

/** `worker` is the loop (0..workers-1) running the op: a cashier at a till. */
type Scenario = { name: string; isAccrual: boolean; op: (seq: number, worker: number) => Promise<unknown> };

/** Every receipt number and idempotency key in the run is unique: one counter shared by all scenarios. */
let sequence = 0;

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return `${err.name}${typeof code === "string" ? ` ${code}` : ""}: ${err.message}`;
  }
  return String(err);
}

/**
 * `workers` async loops, each running `op` back to back until the deadline, all sharing the one pool (as the bots'
 * handlers do). An op that starts before the deadline is allowed to finish and is counted; the elapsed time runs
 * until the last one has. A warm-up of the same load comes first and is not measured (JIT, prepared statements,
 * the pool's connections).
 */
async function runScenario({ name, isAccrual, op }: Scenario): Promise<ScenarioResult> {
  const loop = async (worker: number, deadline: number, latencies: number[] | null, errorSamples: Map<string, number>) => {
    while (performance.now() < deadline) {
      const started = performance.now();
      try {
        await op(sequence++, worker);
        latencies?.push(performance.now() - started);
      } catch (err) {
        const key = describeError(err);
        errorSamples.set(key, (errorSamples.get(key) ?? 0) + 1);
      }
    }
  };
  const runWorkers = (seconds: number, latencies: number[] | null, errorSamples: Map<string, number>) => {
    const deadline = performance.now() + seconds * 1_000;
    return Promise.all(Array.from({ length: workers }, (_, worker) => loop(worker, deadline, latencies, errorSamples)));
  };

  const warmUpErrors = new Map<string, number>();
  await runWorkers(warmUpSeconds, null, warmUpErrors);
  // A scenario that cannot run at all should say so loudly rather than print a table of zeros.
  if (warmUpErrors.size > 0) process.stderr.write(`warm-up of "${name}" had errors: ${[...warmUpErrors.keys()].join("; ")}\n`);

  const latencies: number[] = [];
  const errorSamples = new Map<string, number>();
  const started = performance.now();
  await runWorkers(scenarioSeconds, latencies, errorSamples);
  const elapsedSeconds = (performance.now() - started) / 1_000;

  latencies.sort((a, b) => a - b);
  const errors = [...errorSamples.values()].reduce((a, b) => a + b, 0);
  return {
    name,
    isAccrual,
    ops: latencies.length,
    opsPerSecond: latencies.length / elapsedSeconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    max: latencies.at(-1) ?? Number.NaN,
    errors,
    errorSamples,
  };
}

function scenarios(db: Db, { tills, clientIds }: Fixture): Scenario[] {
  const randomInt = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));
  const anyClient = () => clientIds[randomInt(0, clientIds.length - 1)]!;
  const hotClient = clientIds[0]!;
  // 100–5,000 ₽, in kopecks.
  const checkAmount = () => randomInt(10_000, 500_000);

  const accrual = (clientId: number, seq: number, worker: number) =>
    accrue(db, { ...tills[worker]!, clientId, amountKopecks: checkAmount(), receiptNumber: `bench-${seq}` });

  // One cashier-visible redemption: the partner asks, the client presses "confirm". Two transactions.
  const redemption = async (clientId: number, seq: number, worker: number) => {
    const key = `bench-${seq}`;
    const request = await requestRedemption(db, { ...tills[worker]!, clientId, checkKopecks: 100_000, points: randomInt(1, 5), idempotencyKey: key });
    await confirmRedemption(db, { by: { kind: "client", clientId, requestId: request.id }, decisionKey: `${key}:confirm` });
  };

  return [
    { name: "accrual, 10,000 clients", isAccrual: true, op: (seq, w) => accrual(anyClient(), seq, w) },
    { name: "accrual, one hot client", isAccrual: true, op: (seq, w) => accrual(hotClient, seq, w) },
    { name: "redemption (request+confirm), 10,000 clients", isAccrual: false, op: (seq, w) => redemption(anyClient(), seq, w) },
    { name: "redemption (request+confirm), one hot client", isAccrual: false, op: (seq, w) => redemption(hotClient, seq, w) },
  ];
}

// ---------------------------------------------------------------------------------------------
// pgbench: the same server doing the textbook small transaction, as the ceiling to compare with

/** The newest installed PostgreSQL's pgbench (directories under /usr/lib/postgresql are major versions). */
function findPgbench(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(`${root}/${v}/bin/pgbench`))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error(`no pgbench found under ${root}/*/bin`);
  return `${root}/${versions[0]}/bin/pgbench`;
}

type PgbenchResult = { tps: number; latencyMs: number; binary: string };

async function runPgbench(): Promise<PgbenchResult> {
  const binary = findPgbench();
  await recreateDatabase(pgbenchDbName);
  const url = new URL(adminUrl);
  const connection = ["-h", url.hostname || "127.0.0.1", "-p", url.port || "5432", "-U", decodeURIComponent(url.username) || "postgres"];
  const env = url.password ? { ...process.env, PGPASSWORD: decodeURIComponent(url.password) } : process.env;
  const options = { env, maxBuffer: 16 * 1024 * 1024 };

  await execFileAsync(binary, ["-i", "-q", "-s", String(pgbenchScale), ...connection, pgbenchDbName], options);
  const { stdout } = await execFileAsync(binary, ["-b", "tpcb-like", "-c", String(workers), "-j", "2", "-T", String(pgbenchSeconds), ...connection, pgbenchDbName], options);
  const tps = /^tps = ([\d.]+) \(without initial connection time\)/m.exec(stdout)?.[1];
  const latency = /^latency average = ([\d.]+) ms/m.exec(stdout)?.[1];
  if (tps === undefined || latency === undefined) throw new Error(`could not parse pgbench output:\n${stdout}`);
  return { tps: Number(tps), latencyMs: Number(latency), binary };
}

// ---------------------------------------------------------------------------------------------
// Report

const fixed = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : "-");

function report(results: ScenarioResult[], ceiling: PgbenchResult, drift: Awaited<ReturnType<typeof findBalanceDrift>>, serverVersion: string): string {
  const out: string[] = [];
  out.push(
    `ledger benchmark: ${workers} workers on one pool of ${workers} connections, ${scenarioSeconds} s per scenario after a ${warmUpSeconds} s warm-up`,
    `Node ${process.version}, PostgreSQL ${serverVersion}, ${availableParallelism()} CPUs (shared by Node, Postgres and pgbench)`,
    `ceiling: ${ceiling.binary} -b tpcb-like -c ${workers} -j 2 -T ${pgbenchSeconds}, scale ${pgbenchScale}`,
    "",
  );

  const rows = results.map((r) => [r.name, fixed(r.opsPerSecond, 1), fixed(r.p50, 2), fixed(r.p99, 2), fixed(r.max, 1), String(r.errors), `${fixed(r.opsPerSecond / ceiling.tps, 2)}x`]);
  rows.push(["pgbench tpcb-like (ceiling)", fixed(ceiling.tps, 1), `${fixed(ceiling.latencyMs, 2)} avg`, "", "", "", "1.00x"]);
  out.push(table(["scenario", "ops/s", "p50 ms", "p99 ms", "max ms", "errors", "vs pgbench tps"], rows, ["left", "right", "right", "right", "right", "right", "right"]), "");

  // Throughput is judged for accruals (the hot path at the till); the latency target for every scenario.
  const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");
  const targetRows: string[][] = [];
  for (const r of results) {
    if (r.isAccrual) {
      const share = r.opsPerSecond / ceiling.tps;
      targetRows.push([r.name, `ops/s >= ${targets.accrualShareOfPgbench.toFixed(2)} x pgbench tps`, `${fixed(share, 2)}x`, verdict(share >= targets.accrualShareOfPgbench)]);
    }
    targetRows.push([r.name, `p99 < ${targets.p99Ms} ms`, `${fixed(r.p99, 2)} ms`, verdict(r.p99 < targets.p99Ms)]);
  }
  out.push(table(["scenario", "target", "measured", "result"], targetRows, ["left", "left", "right", "left"]), "");

  out.push(
    drift.length === 0
      ? `balance check (findBalanceDrift): every cached balance equals its ledger sum (0 clients drift)`
      : `balance check (findBalanceDrift): ${drift.length} clients DRIFT, e.g. ${JSON.stringify(drift.slice(0, 5))}`,
  );
  for (const r of results) {
    for (const [message, count] of r.errorSamples) out.push(`error in "${r.name}" (${count}x): ${message}`);
  }
  out.push(`node RSS at the end: ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
  return out.join("\n");
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  let db: Db | undefined;
  try {
    await recreateDatabase(benchDbName);
    db = createDb(urlFor(benchDbName), { max: workers });
    await runMigrations(db);
    process.stdout.write(`seeding ${clientCount.toLocaleString("en")} clients…\n`);
    const fixture = await seed(db);

    const results: ScenarioResult[] = [];
    for (const s of scenarios(db, fixture)) {
      process.stdout.write(`running "${s.name}"…\n`);
      results.push(await runScenario(s));
    }
    const drift = await findBalanceDrift(db);
    const [{ server_version: serverVersion } = { server_version: "?" }] = await db.execute<{ server_version: string }>(sql`SHOW server_version`);

    process.stdout.write(`running pgbench for ${pgbenchSeconds} s…\n`);
    const ceiling = await runPgbench();
    process.stdout.write(`\n${report(results, ceiling, drift, serverVersion)}\n`);
  } finally {
    if (db) await closeDb(db);
    // Each drop on its own, so one failing does not leave the other database behind.
    for (const name of [benchDbName, pgbenchDbName]) {
      await dropDatabase(name).catch((err: unknown) => process.stderr.write(`could not drop ${name}: ${describeError(err)}\n`));
    }
  }
}

await main();
