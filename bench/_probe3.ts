// TEMPORARY analysis probe; deleted after use.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { createDb } from "../db/client.js";
import { runMigrations } from "../db/migrate.js";
import { accrue, confirmRedemption, requestRedemption } from "../core/ledger/service.js";
import { moderateApplication, submitApplication } from "../core/partners/service.js";
import { updateNetworkSettings } from "../core/settings/service.js";

const name = "cashback_bench_probe";
const admin = postgres("postgres://postgres@127.0.0.1:5432/postgres", { max: 1, onnotice: () => {} });
await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
await admin.unsafe(`CREATE DATABASE ${name}`);
if (process.env.ASYNC) await admin.unsafe(`ALTER DATABASE ${name} SET synchronous_commit = off`);
const db = createDb(`postgres://postgres@127.0.0.1:5432/${name}`, { max: 8 });
await runMigrations(db);
await updateNetworkSettings(db, { adminTelegramId: 1, patch: { welcomeBonus: 0 } });
const applied = await submitApplication(db, { telegramId: 1000, name: "Probe", category: "cafe", address: "Addr 1", contactName: "Bob", phone: "+79990000000" });
const p = await moderateApplication(db, { adminTelegramId: 1, partnerId: applied.id, verdict: { decision: "approve" } });
await db.execute(sql`INSERT INTO clients (telegram_id, first_name, referral_code) SELECT 5000000 + i, 'C', 'B' || lpad(i::text, 7, '0') FROM generate_series(1, 10000) i`);
await db.execute(sql`INSERT INTO balances (client_id, points) SELECT id, 1000000 FROM clients`);
await db.execute(sql`INSERT INTO ledger_entries (client_id, kind, points, balance_after, idempotency_key, actor_type) SELECT id, 'adjustment', 1000000, 1000000, 's:' || id, 'system' FROM clients`);
await db.execute(sql`ANALYZE`);
if (process.env.DROP_PARTNER_FK) { await db.execute(sql`ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_partner_id_partners_id_fk`); await db.execute(sql`ALTER TABLE purchases DROP CONSTRAINT purchases_partner_id_partners_id_fk`); }
if (process.env.DROP_ALL_FK) { for (const c of ["ledger_entries_client_id_clients_id_fk", "ledger_entries_purchase_id_purchases_id_fk", "ledger_entries_partner_id_partners_id_fk"]) await db.execute(sql.raw(`ALTER TABLE ledger_entries DROP CONSTRAINT ${c}`)); for (const c of ["purchases_partner_id_partners_id_fk", "purchases_client_id_clients_id_fk"]) await db.execute(sql.raw(`ALTER TABLE purchases DROP CONSTRAINT ${c}`)); }
if (process.env.LEAN_INDEXES) { await db.execute(sql`DROP INDEX jobs_status_idx`); await db.execute(sql`DROP INDEX ledger_reverses_entry_key`); await db.execute(sql`CREATE UNIQUE INDEX ledger_reverses_entry_key ON ledger_entries (reverses_entry_id) WHERE reverses_entry_id IS NOT NULL`); }
if (process.env.NO_JOBS) { await db.execute(sql.raw(`CREATE FUNCTION skip_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$`)); await db.execute(sql`CREATE TRIGGER no_jobs BEFORE INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION skip_row()`); }
if (process.env.FORCE_PREPARE) { const c = db.$client as unknown as { unsafe: (q: string, p?: unknown, o?: Record<string, unknown>) => unknown }; const orig = c.unsafe.bind(c); c.unsafe = (q, p, o) => orig(q, p ?? [], { ...(o ?? {}), prepare: true }); }
let seq = 0;
const rnd = () => 1 + Math.floor(Math.random() * 10000);
const acc = (c = rnd()) => accrue(db, { partnerId: p.id, staffTelegramId: 1000, clientId: c, amountKopecks: 10000 + Math.floor(Math.random() * 490000), receiptNumber: `r${seq++}` });
const red = async (c = rnd()) => { const k = `k${seq++}`; const r = await requestRedemption(db, { partnerId: p.id, staffTelegramId: 1000, clientId: c, checkKopecks: 100000, points: 3, idempotencyKey: k }); await confirmRedemption(db, { by: { kind: "client", clientId: c, requestId: r.id }, decisionKey: k + ":c" }); };
const cpuStat = () => { const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number); const idle = f[3]! + f[4]!; const total = f.reduce((a, b) => a + b, 0); return { busy: (total - idle) * 10, total: total * 10 }; };
const backendCpu = async () => { const pids = (await admin`SELECT pid FROM pg_stat_activity WHERE datname = ${name}`).map((r) => r.pid as number); let t = 0; for (const pid of pids) { try { const s = readFileSync(`/proc/${pid}/stat`, "utf8"); const f = s.slice(s.lastIndexOf(")") + 2).split(" "); t += Number(f[11]) + Number(f[12]); } catch {} } return t * 10; };
const lsn = async () => (await admin`SELECT pg_current_wal_lsn()::text AS l`)[0]!.l as string;
const lsnDiff = async (a: string) => Number((await admin`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), ${a}::pg_lsn)::bigint AS d`)[0]!.d);

const scen = (process.env.SCEN ?? "accrual,hot,redemption").split(",");
for (const label of scen) {
  const f = label === "hot" ? () => acc(1) : label === "redemption" ? () => red() : () => acc();
  await Promise.all(Array.from({ length: 8 }, async () => { for (let i = 0; i < 50; i++) await f(); }));
  let ops = 0; const b0 = await backendCpu(); const s0 = cpuStat(); const l0 = await lsn(); const c0 = process.cpuUsage(); const t0 = performance.now(); const end = t0 + Number(process.env.SECS ?? 5) * 1000;
  await Promise.all(Array.from({ length: 8 }, async () => { while (performance.now() < end) { await f(); ops++; } }));
  const wall = performance.now() - t0; const s1 = cpuStat(); const bk = (await backendCpu()) - b0; const wal = await lsnDiff(l0); const c = process.cpuUsage(c0);
  const nodeMs = (c.user + c.system) / 1000;
  console.log(`${label} x8: ${(ops / wall * 1000).toFixed(0)} ops/s; machine busy ${((s1.busy - s0.busy) / (s1.total - s0.total) * 100).toFixed(0)}%; machine CPU ${((s1.busy - s0.busy) / ops).toFixed(3)} ms/op ; own backends ${(bk / ops).toFixed(3)} + node ${(nodeMs / ops).toFixed(3)} ms/op; WAL ${(wal / ops).toFixed(0)} B/op`);
}
if (process.env.PGB) {
  await admin.unsafe("DROP DATABASE IF EXISTS cashback_pgbench_probe WITH (FORCE)"); await admin.unsafe("CREATE DATABASE cashback_pgbench_probe");
  execFileSync("/usr/lib/postgresql/15/bin/pgbench", ["-i", "-q", "-s", "8", "-h", "127.0.0.1", "-U", "postgres", "cashback_pgbench_probe"], { stdio: "ignore" });
  for (const c of ["1", "8"]) {
    const s0 = cpuStat(); const l0 = await lsn();
    const out = execFileSync("/usr/lib/postgresql/15/bin/pgbench", ["-b", "tpcb-like", "-c", c, "-j", c === "1" ? "1" : "2", "-T", "5", "-h", "127.0.0.1", "-U", "postgres", "cashback_pgbench_probe"]).toString();
    const s1 = cpuStat(); const wal = await lsnDiff(l0);
    const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1]); const lat = /latency average = ([\d.]+)/.exec(out)?.[1];
    console.log(`pgbench -c ${c}: ${tps.toFixed(0)} tps, latency avg ${lat} ms; machine busy ${((s1.busy - s0.busy) / (s1.total - s0.total) * 100).toFixed(0)}%; machine CPU ${((s1.busy - s0.busy) / (tps * 5)).toFixed(3)} ms/txn; WAL ${(wal / (tps * 5)).toFixed(0)} B/txn`);
  }
  await admin.unsafe("DROP DATABASE IF EXISTS cashback_pgbench_probe WITH (FORCE)");
}
await db.$client.end();
await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
await admin.end();
