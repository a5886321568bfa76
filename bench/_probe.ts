// TEMPORARY analysis probe; deleted after use.
import { readdirSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "../db/schema/index.js";
import type { Db } from "../db/client.js";
import { runMigrations } from "../db/migrate.js";
import { accrue, confirmRedemption, requestRedemption } from "../core/ledger/service.js";
import { moderateApplication, submitApplication } from "../core/partners/service.js";
import { updateNetworkSettings } from "../core/settings/service.js";

const name = "cashback_bench_probe";
const admin = postgres("postgres://postgres@127.0.0.1:5432/postgres", { max: 1, onnotice: () => {} });
await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
await admin.unsafe(`CREATE DATABASE ${name}`);
let count = 0; let log: string[] | null = null;
const client = postgres(`postgres://postgres@127.0.0.1:5432/${name}`, { max: 8, onnotice: () => {}, debug: (_c, q) => { count++; log?.push(q.replace(/\s+/g, " ").slice(0, 140)); } });
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
const red = async (c = rnd()) => { const k = `k${seq++}`; const r = await requestRedemption(db, { partnerId: p.id, staffTelegramId: 1000, clientId: c, checkKopecks: 100000, points: 3, idempotencyKey: k }); await confirmRedemption(db, { by: { kind: "client", clientId: c, requestId: r.id }, decisionKey: k + ":c" }); };

// 1. statements per op
for (const [label, f] of [["accrual", () => acc()], ["redemption", () => red()]] as const) {
  await f(); log = []; count = 0; await f();
  console.log(`${label}: ${count} statements`); for (const q of log) console.log("   ", q); log = null;
}
// 2. one worker, sequential latency
for (const [label, f] of [["accrual", () => acc()], ["redemption", () => red()]] as const) {
  const lat: number[] = []; const end = performance.now() + 3000;
  while (performance.now() < end) { const t = performance.now(); await f(); lat.push(performance.now() - t); }
  lat.sort((a, b) => a - b); console.log(`${label} 1 worker: ${(lat.length / 3).toFixed(0)} ops/s, p50 ${lat[lat.length >> 1]!.toFixed(2)} ms`);
}
// 3. CPU split at 8 workers
const pgCpu = () => { let t = 0; for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) { try { const s = readFileSync(`/proc/${pid}/stat`, "utf8"); const f = s.slice(s.lastIndexOf(")") + 2).split(" "); if (!s.includes("(postgres)")) continue; t += Number(f[11]) + Number(f[12]); } catch {} } return t * 10; };
for (const [label, f] of [["accrual spread", () => acc()], ["accrual hot", () => acc(1)], ["redemption spread", () => red()]] as const) {
  let ops = 0; const c0 = process.cpuUsage(); const p0 = pgCpu(); const t0 = performance.now(); const end = t0 + 5000;
  await Promise.all(Array.from({ length: 8 }, async () => { while (performance.now() < end) { await f(); ops++; } }));
  const wall = performance.now() - t0; const c = process.cpuUsage(c0); const pg = pgCpu() - p0;
  console.log(`${label} x8: ${(ops / wall * 1000).toFixed(0)} ops/s; node CPU ${((c.user + c.system) / 1000 / ops).toFixed(3)} ms/op (${((c.user + c.system) / 1000 / wall * 100).toFixed(0)}% of a core); postgres CPU ${(pg / ops).toFixed(3)} ms/op (${(pg / wall * 100).toFixed(0)}% of a core)`);
}
await client.end();
await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
await admin.end();
