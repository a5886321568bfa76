// `npm run bench`: accrual and redemption throughput and latency against the real Postgres, next to pgbench's
// tpcb-like run on the same machine as the ceiling. Prints a table; a MISS is reported, not an exit code.
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { closeDb, createDb, type Db } from "../db/client.js";
import { runMigrations } from "../db/migrate.js";
import { findBalanceDrift } from "../core/ledger/post.js";
import { accrue, confirmRedemption, requestRedemption } from "../core/ledger/service.js";
import { moderateApplication, submitApplication } from "../core/partners/service.js";
import { updateNetworkSettings } from "../core/settings/service.js";

const run = promisify(execFile);
const adminUrl = process.env.BENCH_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const pgbenchSeconds = Number(process.env.PGBENCH_SECONDS ?? 20);
const workers = 8;
const clientCount = 10_000;
const benchDb = "cashback_bench";
const pgbenchDb = "cashback_pgbench";

const urlFor = (name: string) => {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
};

async function recreate(name: string) {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  await admin.end();
}

async function drop(name: string) {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
}

/** One partner and 10,000 clients, each holding 1,000,000 points (set by a ledger row, so balances equal the ledger). */
async function seed(db: Db) {
  await updateNetworkSettings(db, { adminTelegramId: 1, patch: { welcomeBonus: 0 } });
  const applied = await submitApplication(db, { telegramId: 1_000, name: "Bench Café", category: "cafe", address: "Bench street 1", contactName: "Bench", phone: "+79990000000" });
  const partner = await moderateApplication(db, { adminTelegramId: 1, partnerId: applied.id, verdict: { decision: "approve" } });
  await db.execute(sql`
    INSERT INTO clients (telegram_id, first_name, referral_code)
    SELECT 5000000 + i, 'Client ' || i, 'B' || lpad(i::text, 7, '0') FROM generate_series(1, ${clientCount}) AS i`);
  await db.execute(sql`INSERT INTO balances (client_id, points) SELECT id, 1000000 FROM clients`);
  await db.execute(sql`
    INSERT INTO ledger_entries (client_id, kind, points, balance_after, idempotency_key, actor_type, reason)
    SELECT id, 'adjustment', 1000000, 1000000, 'bench-seed:' || id, 'system', 'benchmark seed' FROM clients`);
  const ids = (await db.execute<{ id: string }>(sql`SELECT id FROM clients ORDER BY id`)).map((r) => Number(r.id));
  return { partnerId: partner.id, staffTelegramId: 1_000, clientIds: ids };
}

type Result = { name: string; ops: number; opsPerSecond: number; p50: number; p99: number; max: number; errors: number; firstError?: string };

/** `workers` loops each doing `op` back to back for `seconds` (after a 1 s warm-up that is not counted). */
async function scenario(name: string, op: (worker: number, i: number) => Promise<unknown>): Promise<Result> {
  let counter = 0;
  const loop = async (worker: number, untilMs: number, record: boolean, latencies: number[], errors: string[]) => {
    while (performance.now() < untilMs) {
      const i = counter++;
      const t0 = performance.now();
      try {
        await op(worker, i);
        if (record) latencies.push(performance.now() - t0);
      } catch (err) {
        if (record) errors.push(String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => loop(w, performance.now() + 1_000, false, [], [])));
  const latencies: number[] = [];
  const errors: string[] = [];
  const started = performance.now();
  await Promise.all(Array.from({ length: workers }, (_, w) => loop(w, started + seconds * 1_000, true, latencies, errors)));
  const elapsed = (performance.now() - started) / 1_000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { name, ops: latencies.length, opsPerSecond: latencies.length / elapsed, p50: q(0.5), p99: q(0.99), max: latencies.at(-1) ?? NaN, errors: errors.length, ...(errors[0] ? { firstError: errors[0] } : {}) };
}

function pgbenchPath(): string {
  const versions = readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a));
  return `/usr/lib/postgresql/${versions[0]}/bin/pgbench`;
}

async function pgbench(): Promise<{ tps: number; latencyMs: number }> {
  await recreate(pgbenchDb);
  const u = new URL(adminUrl);
  const conn = ["-h", u.hostname, "-p", u.port || "5432", "-U", decodeURIComponent(u.username) || "postgres"];
  await run(pgbenchPath(), ["-i", "-q", "-s", "8", ...conn, pgbenchDb]);
  const { stdout } = await run(pgbenchPath(), ["-b", "tpcb-like", "-c", String(workers), "-j", "2", "-T", String(pgbenchSeconds), ...conn, pgbenchDb]);
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1]);
  const latencyMs = Number(/latency average = ([\d.]+) ms/.exec(stdout)?.[1]);
  return { tps, latencyMs };
}

const pad = (s: string, n: number) => s.padEnd(n);
const num = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : "—");

async function main() {
  await recreate(benchDb);
  const db = createDb(urlFor(benchDb), { max: workers });
  try {
    await runMigrations(db);
    const { partnerId, staffTelegramId, clientIds } = await seed(db);
    const hot = clientIds[0]!;
    const pick = () => clientIds[Math.floor(Math.random() * clientIds.length)]!;
    const amount = () => (100 + Math.floor(Math.random() * 4_900)) * 100;
    const redeem = async (clientId: number, key: string) => {
      const r = await requestRedemption(db, { partnerId, staffTelegramId, clientId, checkKopecks: 100_000, points: 3, idempotencyKey: key });
      await confirmRedemption(db, { by: { kind: "client", clientId, requestId: r.id }, decisionKey: `${key}:ok` });
    };

    const results: Result[] = [];
    results.push(await scenario("accrual, 10,000 clients", (_w, i) => accrue(db, { partnerId, staffTelegramId, clientId: pick(), amountKopecks: amount(), receiptNumber: `spread-${i}` })));
    results.push(await scenario("accrual, one hot client", (_w, i) => accrue(db, { partnerId, staffTelegramId, clientId: hot, amountKopecks: amount(), receiptNumber: `hot-${i}` })));
    results.push(await scenario("redemption (request+confirm), 10,000 clients", (_w, i) => redeem(pick(), `spread-${i}`)));
    results.push(await scenario("redemption (request+confirm), one hot client", (_w, i) => redeem(hot, `hot-${i}`)));
    const drift = await findBalanceDrift(db);

    process.stdout.write(`pgbench -b tpcb-like -c ${workers} -j 2 -T ${pgbenchSeconds} (scale 8)…\n`);
    const ceiling = await pgbench();

    const header = `${pad("scenario", 48)}${pad("ops/s", 10)}${pad("p50 ms", 9)}${pad("p99 ms", 9)}${pad("max ms", 9)}${pad("errors", 8)}vs pgbench`;
    const lines = results.map((r) => `${pad(r.name, 48)}${pad(num(r.opsPerSecond), 10)}${pad(num(r.p50, 2), 9)}${pad(num(r.p99, 2), 9)}${pad(num(r.max, 1), 9)}${pad(String(r.errors), 8)}${num(r.opsPerSecond / ceiling.tps, 2)}`);
    lines.push(`${pad("pgbench tpcb-like (the machine's ceiling)", 48)}${pad(num(ceiling.tps), 10)}${pad(num(ceiling.latencyMs, 2), 9)}${pad("", 9)}${pad("", 9)}${pad("", 8)}1.00`);
    const spread = results[0]!;
    const ratio = spread.opsPerSecond / ceiling.tps;
    process.stdout.write(
      [
        "",
        `ledger benchmark: ${workers} concurrent workers, ${seconds} s per scenario, Node ${process.version}`,
        header,
        "-".repeat(header.length),
        ...lines,
        "",
        `target: accrual throughput >= 0.80 x pgbench tpcb-like: ${num(ratio, 2)} -> ${ratio >= 0.8 ? "PASS" : "MISS"}`,
        `target: accrual p99 < 20 ms: ${num(spread.p99, 2)} ms -> ${spread.p99 < 20 ? "PASS" : "MISS"}`,
        `balances equal the sum of the ledger after the run: ${drift.length === 0 ? "yes" : `NO (${drift.length} clients drift)`}`,
        `node RSS: ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
        ...results.filter((r) => r.firstError).map((r) => `first error in "${r.name}": ${r.firstError}`),
        "",
      ].join("\n"),
    );
  } finally {
    await closeDb(db);
    await drop(benchDb);
    await drop(pgbenchDb);
  }
}

await main();
