// TEMPORARY analysis probe; deleted after use.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "../db/schema/index.js";
import type { Db } from "../db/client.js";
import { runMigrations } from "../db/migrate.js";
import { accrue } from "../core/ledger/service.js";
import { moderateApplication, submitApplication } from "../core/partners/service.js";
import { updateNetworkSettings } from "../core/settings/service.js";

const name = "cashback_bench_probe";
const admin = postgres("postgres://postgres@127.0.0.1:5432/postgres", { max: 1, onnotice: () => {} });
await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
await admin.unsafe(`CREATE DATABASE ${name}`);
let capture: { q: string; p: unknown[] }[] | null = null;
const client = postgres(`postgres://postgres@127.0.0.1:5432/${name}`, { max: 8, onnotice: () => {}, debug: (_c, q, p) => { capture?.push({ q, p: p as unknown[] }); } });
const db = drizzle(client, { schema }) as unknown as Db;
await runMigrations(db);
await updateNetworkSettings(db, { adminTelegramId: 1, patch: { welcomeBonus: 0 } });
const applied = await submitApplication(db, { telegramId: 1000, name: "Probe", category: "cafe", address: "Addr 1", contactName: "Bob", phone: "+79990000000" });
const p = await moderateApplication(db, { adminTelegramId: 1, partnerId: applied.id, verdict: { decision: "approve" } });
await db.execute(sql`INSERT INTO clients (telegram_id, first_name, referral_code) SELECT 5000000 + i, 'C', 'B' || lpad(i::text, 7, '0') FROM generate_series(1, 10000) i`);
await db.execute(sql`INSERT INTO balances (client_id, points) SELECT id, 1000000 FROM clients`);
await db.execute(sql`INSERT INTO ledger_entries (client_id, kind, points, balance_after, idempotency_key, actor_type) SELECT id, 'adjustment', 1000000, 1000000, 's:' || id, 'system' FROM clients`);
await db.execute(sql`ANALYZE`);
let seq = 0;
const rnd = () => 1 + Math.floor(Math.random() * 10000);
const acc = (c = rnd()) => accrue(db, { partnerId: p.id, staffTelegramId: 1000, clientId: c, amountKopecks: 10000 + Math.floor(Math.random() * 490000), receiptNumber: `r${seq++}` });
const pgCpu = () => { let t = 0; for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) { try { const s = readFileSync(`/proc/${pid}/stat`, "utf8"); if (!s.includes("(postgres)")) continue; const f = s.slice(s.lastIndexOf(")") + 2).split(" "); t += Number(f[11]) + Number(f[12]); } catch {} } return t * 10; };

const mode = process.env.MODE ?? "";
const sampler = postgres(`postgres://postgres@127.0.0.1:5432/${name}`, { max: 1 });
for (const label of ["accrual spread", "accrual hot"]) {
  const f = label.endsWith("hot") ? () => acc(1) : () => acc();
  if (mode === "async") await client.unsafe("ALTER DATABASE " + name + " SET synchronous_commit = off");
  await Promise.all(Array.from({ length: 8 }, async () => { for (let i = 0; i < 100; i++) await f(); }));
  const waits = new Map<string, number>(); let samples = 0; let running = true;
  const sampling = (async () => { while (running) { const rows = await sampler`SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS w, count(*)::int AS n FROM pg_stat_activity WHERE datname = ${name} AND state = 'active' AND pid <> pg_backend_pid() GROUP BY 1`; samples++; for (const r of rows) waits.set(r.w, (waits.get(r.w) ?? 0) + r.n); await new Promise((r) => setTimeout(r, 5)); } })();
  let ops = 0; const c0 = process.cpuUsage(); const p0 = pgCpu(); const t0 = performance.now(); const end = t0 + 5000;
  await Promise.all(Array.from({ length: 8 }, async () => { while (performance.now() < end) { await f(); ops++; } }));
  running = false; await sampling;
  const wall = performance.now() - t0; const c = process.cpuUsage(c0); const pg = pgCpu() - p0;
  console.log(`${label} x8: ${(ops / wall * 1000).toFixed(0)} ops/s; node CPU ${((c.user + c.system) / 1000 / ops).toFixed(3)} ms/op; postgres CPU ${(pg / ops).toFixed(3)} ms/op`);
  console.log("   active backends by wait (avg over samples):", [...waits].sort((a, b) => b[1] - a[1]).map(([w, n]) => `${w}=${(n / samples).toFixed(2)}`).join(" "));
}
// EXPLAIN the two statements of one accrual (the writes rolled back).
capture = []; await acc(2); const stmts = capture; capture = null;
for (const s of stmts) {
  const res = await client.begin(async (tx) => { const r = await tx.unsafe(`EXPLAIN (ANALYZE, BUFFERS, SUMMARY) ${s.q}`, s.p as never[]); await tx.unsafe("ROLLBACK AND CHAIN"); return r; }).catch((e) => [{ "QUERY PLAN": String(e) }]);
  console.log("----", s.q.replace(/\s+/g, " ").slice(0, 60)); for (const r of res as { "QUERY PLAN": string }[]) console.log(r["QUERY PLAN"]);
}
// pgbench CPU per txn, same server
await admin.unsafe("DROP DATABASE IF EXISTS cashback_pgbench_probe WITH (FORCE)"); await admin.unsafe("CREATE DATABASE cashback_pgbench_probe");
execFileSync("/usr/lib/postgresql/15/bin/pgbench", ["-i", "-q", "-s", "8", "-h", "127.0.0.1", "-U", "postgres", "cashback_pgbench_probe"], { stdio: "ignore" });
for (const c of ["1", "8"]) {
  const p0 = pgCpu(); const out = execFileSync("/usr/lib/postgresql/15/bin/pgbench", ["-b", "tpcb-like", "-c", c, "-j", c === "1" ? "1" : "2", "-T", "5", "-h", "127.0.0.1", "-U", "postgres", "cashback_pgbench_probe"]).toString(); const pg = pgCpu() - p0;
  const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1]); const lat = /latency average = ([\d.]+)/.exec(out)?.[1];
  console.log(`pgbench -c ${c}: ${tps.toFixed(0)} tps, latency avg ${lat} ms, postgres CPU ${(pg / (tps * 5)).toFixed(3)} ms/txn`);
}
await admin.unsafe("DROP DATABASE IF EXISTS cashback_pgbench_probe WITH (FORCE)");
await sampler.end(); await client.end();
await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
await admin.end();
