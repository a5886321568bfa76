// `npm run bench:web`: the web faces under a realistic amount of data — 100,000 clients and 2,000,000 ledger rows.
//
//  1. the card API (GET /api/app/card) through the real web app with signed initData of random clients: p50/p95/p99
//     (target p99 < 50 ms);
//  2. the history's first page (GET /api/app/history): p50/p95/p99;
//  3. the dashboard's overview for 30 days (GET /api/dashboard/overview), the network (admin) and the busiest partner,
//     each with a real session from core/web-auth: p50/p99 (target < 300 ms);
//  4. the ledger CSV export of at least 1,000,000 rows through the export route: wall time, and the process's RSS
//     sampled every 50 ms while the stream is drained (target: flat, i.e. constant memory);
//  5. the Mini App's first screen: the gzipped size of the JavaScript its index.html loads (target < 150 KB).
//
// Requests go through `createWebApp(...).request()`: routing, auth, zod validation of input and output, the core
// queries and Postgres — everything but the TCP socket. The numbers are printed as a table and, last, as one JSON line.
//
// It works in a scratch database of its own (cashback_bench_web), created and migrated at the start and dropped at
// the end; `--keep` keeps it, and `--reuse` runs against a kept one without seeding again (after applying any newer
// migrations). Before measuring it runs the nightly job's ledger totals (core/analytics/ledger-totals.ts), which the
// overview's liability starts from, as a running network has them. A missed target is reported, not turned into an
// exit code: the process fails only if something crashed.
//
// Environment: BENCH_DATABASE_ADMIN_URL (a superuser connection to an existing database; default the local
// `postgres`), BENCH_REDIS_URL (default redis://127.0.0.1:6379/14: rate-limit counters and till codes land there),
// BENCH_CARD_REQUESTS (measured card and history requests each, default 3,000).
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { availableParallelism, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { sign } from "@telegram-apps/init-data-node";
import { sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { pino } from "pino";
import { adminUrl, percentile, table, urlFor, withAdmin } from "./scratch.js";
import { advanceLedgerTotals } from "../core/analytics/ledger-totals.js";
import { addDays, systemClock } from "../core/clock.js";
import { analyticsDate } from "../core/analytics/nightly.js";
import { moderateApplication, submitApplication } from "../core/partners/service.js";
import { updateNetworkSettings } from "../core/settings/service.js";
import { createLoginLink, signInWithLink, type DashboardIdentity } from "../core/web-auth/service.js";
import { closeDb, createDb, type Db } from "../db/client.js";
import { runMigrations } from "../db/migrate.js";
import { createWebApp } from "../web/server/app.js";
import { ensureBuilt } from "../web/build.js";
import { webPages } from "../web/pages.js";

// ---------------------------------------------------------------------------------------------
// Configuration

const args = new Set(process.argv.slice(2));
const keep = args.has("--keep") || args.has("--reuse");
const reuse = args.has("--reuse");

function positiveIntFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number, got "${raw}"`);
  return value;
}

const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/14";
const benchDbName = "cashback_bench_web";
const clientCount = 100_000;
/** Ledger rows per client: a welcome bonus, then accruals with every fourth row a redemption (2,000,000 in all). */
const rowsPerClient = 20;
const partnerCount = 5;
const cardRequests = positiveIntFromEnv("BENCH_CARD_REQUESTS", 3_000);
const warmUpRequests = 300;
const overviewRequests = 40;
const exportRowsWanted = 1_000_000;
const rssSampleMs = 50;
/** Requests in flight at once for the card and history: a few phones opening the app at the same moment. */
const concurrency = 4;

const targets = { cardP99Ms: 50, overviewP99Ms: 300, miniAppJsGzipKb: 150 };

const clientBotToken = "1000001:bench-client-bot-token-AAAAAAAAAAAAAAAAAAA";
const adminTelegramId = 1;
const firstOwnerTelegramId = 1_000;
const firstClientTelegramId = 5_000_000;

// ---------------------------------------------------------------------------------------------
// Scratch database

const dropDatabase = () => withAdmin((admin) => admin.unsafe(`DROP DATABASE IF EXISTS "${benchDbName}" WITH (FORCE)`));
const databaseExists = () => withAdmin(async (admin) => (await admin`SELECT 1 FROM pg_database WHERE datname = ${benchDbName}`).length > 0);

// ---------------------------------------------------------------------------------------------
// Seed

/** The tables filled in bulk. */
const bulkTables = ["clients", "purchases", "ledger_entries", "balances", "nps_ratings", "referrals"];

type Fixture = { partners: { id: number; ownerTelegramId: number }[] };

/**
 * Partners through the real use-cases; then clients, checks, ledger rows, balances, referrals and NPS ratings in
 * set-based SQL (generate_series), which fills the tables in well under a minute where the use-cases would take hours.
 *
 * The rows are what the use-cases would have written: each client joined on a day of the last year (through one of
 * the partners' links) with a 100-point welcome bonus, then made checks spread between that day and now — every
 * fourth ledger row a redemption of half the check before it, so no balance ever goes negative. Join days are drawn
 * so that the network's daily activity grows linearly over the year (a client who joined long ago spreads their
 * rows thinly; join age ~ √uniform makes the sum a straight ramp): the last 30 days hold about 16 % of the ledger
 * (~315,000 rows), twice the average month. (With join days uniform instead, the late joiners would crowd 29 % of
 * the year's rows into the last month.) `balance_after` is
 * the running sum and `balances` the final one, so the cached balances agree with the ledger. Partners are skewed:
 * the first takes about half the traffic (its overview is the partner figure measured).
 */
async function seed(db: Db): Promise<Fixture> {
  await updateNetworkSettings(db, { adminTelegramId, patch: { welcomeBonus: 100 } });
  const partners: Fixture["partners"] = [];
  for (let i = 0; i < partnerCount; i++) {
    const owner = firstOwnerTelegramId + i;
    const applied = await submitApplication(db, { telegramId: owner, name: `Bench Café ${i + 1}`, category: "cafe", address: `Bench street ${i + 1}`, contactName: "Bench", phone: "+79990000000" });
    const partner = await moderateApplication(db, { adminTelegramId, partnerId: applied.id, verdict: { decision: "approve" } });
    partners.push({ id: partner.id, ownerTelegramId: owner });
  }
  const partnerArray = `ARRAY[${partners.map((p) => p.id).join(",")}]::bigint[]`;
  // Partner k (1-based) with probability ~ (k/n)^2 - ((k-1)/n)^2 reversed: the first gets the most.
  const skewedPartner = `(${partnerArray})[1 + floor(power(random(), 2) * ${partnerCount})::int]`;

  const started = performance.now();
  await db.$client.begin(async (tx) => {
    // The rows are consistent by construction: skip the per-row foreign-key triggers of the bulk load.
    await tx.unsafe(`SET LOCAL session_replication_role = replica`);
    await tx.unsafe(`SELECT setseed(0.42)`);
    // Indexes are built once after the load (a sort each) rather than maintained row by row: their definitions are
    // read from the catalogue, dropped and re-created as they were. Constraint-backed ones (primary keys) stay.
    await tx.unsafe(`SET LOCAL maintenance_work_mem = '256MB'`);
    const indexes = await tx.unsafe<{ name: string; def: string }[]>(`
      SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
      WHERE i.schemaname = 'public' AND i.tablename IN (${bulkTables.map((t) => `'${t}'`).join(", ")})
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`);
    for (const { name } of indexes) await tx.unsafe(`DROP INDEX "${name}"`);
    await tx.unsafe(`
      INSERT INTO clients (id, telegram_id, phone, first_name, username, language, referral_code, source_partner_id, created_at)
      OVERRIDING SYSTEM VALUE
      SELECT i, ${firstClientTelegramId} + i,
             CASE WHEN i % 5 <> 0 THEN '+7916' || lpad(i::text, 7, '0') END,
             'Client ' || i,
             CASE WHEN i % 3 = 0 THEN 'bench_user_' || i END,
             (CASE WHEN i % 4 = 0 THEN 'en' ELSE 'ru' END)::language,
             'W' || lpad(i::text, 7, '0'),
             ${skewedPartner},
             now() - sqrt(random()) * interval '365 days'
      FROM generate_series(1, ${clientCount}) AS i`);
    // Every ledger row to be, with its check for accruals: accrual j of client c earns a(c, j) points on a check of
    // a × 20 ₽ (5 %); redemption j spends half of a(c, j - 1) + 1.
    const accrualPoints = (j: string) => `(10 + ((c.id * 7919 + ${j} * 104729) % 491))`;
    await tx.unsafe(`
      CREATE TEMP TABLE bench_rows ON COMMIT DROP AS
      SELECT c.id AS client_id, j,
             (c.id - 1) * ${rowsPerClient} + j AS entry_id,
             CASE WHEN j = 1 THEN 'welcome_bonus' WHEN j % 4 = 0 THEN 'redemption' ELSE 'accrual' END AS kind,
             CASE WHEN j = 1 THEN c.source_partner_id ELSE ${skewedPartner} END AS partner_id,
             CASE WHEN j = 1 THEN 100 WHEN j % 4 = 0 THEN -(${accrualPoints("(j - 1)")} / 2 + 1) ELSE ${accrualPoints("j")} END AS points,
             c.created_at + (now() - c.created_at) * ((j - 1 + random() * 0.9) / ${rowsPerClient}) AS created_at
      FROM clients c CROSS JOIN generate_series(1, ${rowsPerClient}) AS j`);
    await tx.unsafe(`
      INSERT INTO purchases (id, partner_id, client_id, receipt_number, amount_kopecks, tier, rate_bp, points_accrued, staff_telegram_id, created_at)
      OVERRIDING SYSTEM VALUE
      SELECT entry_id, partner_id, client_id, 'B' || entry_id, points * 2000, 'bronze', 500, points, NULL, created_at
      FROM bench_rows WHERE kind = 'accrual'`);
    await tx.unsafe(`
      INSERT INTO ledger_entries (id, client_id, partner_id, kind, points, balance_after, idempotency_key, purchase_id, actor_type, created_at)
      OVERRIDING SYSTEM VALUE
      SELECT entry_id, client_id, partner_id, kind::ledger_kind, points,
             sum(points) OVER (PARTITION BY client_id ORDER BY j ROWS UNBOUNDED PRECEDING),
             'bench:' || entry_id,
             CASE WHEN kind = 'accrual' THEN entry_id END,
             (CASE WHEN kind = 'welcome_bonus' THEN 'system' ELSE 'staff' END)::actor_type,
             created_at
      FROM bench_rows ORDER BY client_id, j`);
    await tx.unsafe(`INSERT INTO balances (client_id, points, updated_at) SELECT client_id, sum(points), max(created_at) FROM bench_rows GROUP BY client_id`);
    // One rated visit in ten; one client in ten invited by another (half of them brought the bonus).
    await tx.unsafe(`
      INSERT INTO nps_ratings (purchase_id, client_id, partner_id, score, created_at)
      SELECT entry_id, client_id, partner_id, (entry_id * 7) % 11, least(created_at + interval '2 hours', now())
      FROM bench_rows WHERE kind = 'accrual' AND entry_id % 10 = 2`);
    await tx.unsafe(`
      INSERT INTO referrals (referrer_client_id, invitee_client_id, created_at, rewarded_at)
      SELECT 1 + (i * 7) % ${clientCount}, i, c.created_at, CASE WHEN i % 20 = 0 THEN c.created_at + interval '1 day' END
      FROM generate_series(10, ${clientCount}, 10) AS i JOIN clients c ON c.id = i
      WHERE 1 + (i * 7) % ${clientCount} <> i`);
    for (const { def } of indexes) await tx.unsafe(def);
    for (const table of ["clients", "purchases", "ledger_entries"]) {
      await tx.unsafe(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT max(id) FROM ${table}))`);
    }
  });
  process.stdout.write(`  rows written in ${((performance.now() - started) / 1_000).toFixed(1)} s\n`);
  // Fresh statistics and the visibility map, as autovacuum would leave a database that has been running a while
  // (without it, every read of a fresh page also rewrites its hint bits, and no index-only scan is possible).
  await db.execute(sql`VACUUM ANALYZE`);
  return { partners };
}

async function existingFixture(db: Db): Promise<Fixture> {
  const rows = await db.execute<{ id: string; owner: string }>(sql`SELECT id, applicant_telegram_id AS owner FROM partners ORDER BY id`);
  if (rows.length !== partnerCount) throw new Error(`--reuse: ${benchDbName} has ${rows.length} partners, not a kept benchmark database; run without --reuse`);
  return { partners: rows.map((r) => ({ id: Number(r.id), ownerTelegramId: Number(r.owner) })) };
}

async function tableCounts(db: Db): Promise<Record<string, number>> {
  const [row] = await db.execute<Record<string, string>>(sql`
    SELECT (SELECT count(*) FROM clients) AS clients, (SELECT count(*) FROM ledger_entries) AS ledger_entries,
           (SELECT count(*) FROM purchases) AS purchases, (SELECT count(*) FROM nps_ratings) AS nps_ratings,
           (SELECT count(*) FROM referrals) AS referrals,
           (SELECT count(*) FROM balances b WHERE b.points <> (SELECT coalesce(sum(points), 0) FROM ledger_entries l WHERE l.client_id = b.client_id)) AS drift`);
  return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)]));
}

// ---------------------------------------------------------------------------------------------
// Measurements

type Latencies = { count: number; p50: number; p95: number; p99: number; max: number; errors: number; errorSamples: Map<string, number> };

/**
 * Runs `request(i)` `count` times, `parallel` at a time, after `warmUp` unmeasured ones; a request answering anything
 * but 200 is an error (counted with its status and body, not timed).
 */
async function measure(count: number, warmUp: number, parallel: number, request: (i: number) => Response | Promise<Response>): Promise<Latencies> {
  const latencies: number[] = [];
  const errorSamples = new Map<string, number>();
  let next = 0;
  const one = async (i: number, record: boolean) => {
    const started = performance.now();
    const res = await request(i);
    // The body is read in full: the time to the last byte is what the page waits for.
    const body = await res.text();
    const ms = performance.now() - started;
    if (res.status !== 200) {
      const key = `${res.status} ${body.slice(0, 200)}`;
      errorSamples.set(key, (errorSamples.get(key) ?? 0) + 1);
    } else if (record) latencies.push(ms);
  };
  for (let i = 0; i < warmUp; i++) await one(-1 - i, false);
  const worker = async () => {
    while (next < count) await one(next++, true);
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  latencies.sort((a, b) => a - b);
  const errors = [...errorSamples.values()].reduce((a, b) => a + b, 0);
  return { count: latencies.length, p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), p99: percentile(latencies, 0.99), max: latencies.at(-1) ?? Number.NaN, errors, errorSamples };
}

/** initData as Telegram would hand the Mini App of this client, signed with the client bot's token just now. */
function initDataFor(clientId: number): string {
  return sign({ user: { id: firstClientTelegramId + clientId, first_name: `Client ${clientId}`, language_code: "ru" }, query_id: `bench-${clientId}` }, clientBotToken, new Date());
}

/** A dashboard session cookie for this person, through the bot's sign-in link (as the page would get it). */
async function sessionCookie(db: Db, identity: DashboardIdentity, adminIds: readonly number[]): Promise<string> {
  const { token } = await createLoginLink(db, { identity, adminIds });
  const signedIn = await signInWithLink(db, { token, adminIds });
  if (!signedIn) throw new Error(`could not sign ${identity.role} ${identity.telegramId} in`);
  return `cb_session=${signedIn.sessionToken}`;
}

const mb = (bytes: number) => bytes / 2 ** 20;

type ExportResult = {
  from: string;
  to: string;
  rows: number;
  bytes: number;
  wallMs: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  rssAfterMb: number;
  /** The highest RSS in each quarter of the download (by time): flat when memory does not grow with the rows read. */
  rssQuarterPeaksMb: number[];
  heapPeakMb: number;
  rssSamples: number;
  status: number;
};

/**
 * The ledger CSV for the shortest period (whole Moscow days, ending today) holding at least `exportRowsWanted` rows,
 * drained as a browser would, with the RSS sampled every `rssSampleMs` ms from before the request to the last byte.
 */
async function measureExport(db: Db, app: ReturnType<typeof createWebApp>, cookie: string): Promise<ExportResult> {
  const [edge] = await db.execute<{ day: string; today: string }>(sql`
    SELECT to_char(created_at AT TIME ZONE 'Europe/Moscow', 'YYYY-MM-DD') AS day, to_char(now() AT TIME ZONE 'Europe/Moscow', 'YYYY-MM-DD') AS today
    FROM ledger_entries ORDER BY created_at DESC OFFSET ${exportRowsWanted - 1} LIMIT 1`);
  if (!edge) throw new Error(`fewer than ${exportRowsWanted} ledger rows`);
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const samples: { at: number; rss: number; heap: number }[] = [];
  const sample = () => {
    const m = process.memoryUsage();
    samples.push({ at: performance.now(), rss: m.rss, heap: m.heapUsed });
  };
  const timer = setInterval(sample, rssSampleMs);
  const started = performance.now();
  try {
    const res = await app.request(`/api/dashboard/export/ledger.csv?from=${edge.day}&to=${edge.today}`, { headers: { cookie } });
    let bytes = 0;
    let newlines = 0;
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
        for (let i = 0; i < value.length; i++) if (value[i] === 10) newlines++;
      }
    }
    const wallMs = performance.now() - started;
    sample();
    const quarterPeaks = [0, 1, 2, 3].map((q) =>
      mb(Math.max(0, ...samples.filter((x) => x.at >= started + (q * wallMs) / 4 && x.at <= started + ((q + 1) * wallMs) / 4).map((x) => x.rss))),
    );
    // Every line ends with a newline (RFC 4180 CRLF or LF); the first is the header.
    return {
      from: edge.day,
      to: edge.today,
      rows: Math.max(0, newlines - 1),
      bytes,
      wallMs,
      rssBeforeMb: mb(rssBefore),
      rssPeakMb: mb(Math.max(rssBefore, ...samples.map((x) => x.rss))),
      rssAfterMb: mb(process.memoryUsage().rss),
      rssQuarterPeaksMb: quarterPeaks,
      heapPeakMb: mb(Math.max(...samples.map((x) => x.heap))),
      rssSamples: samples.length,
      status: res.status,
    };
  } finally {
    clearInterval(timer);
  }
}

type BundleResult = { files: { path: string; bytes: number; gzipBytes: number }[]; gzipKb: number };

/** The JavaScript the Mini App's index.html loads before it can draw (module scripts and modulepreloads), gzipped. */
async function miniAppFirstScreen(): Promise<BundleResult> {
  const dist = await ensureBuilt(webPages.miniApp);
  const html = readFileSync(join(dist, "index.html"), "utf8");
  const srcs = new Set<string>();
  for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) srcs.add(m[1]!);
  for (const m of html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g)) srcs.add(m[1]!);
  const files = [...srcs].map((src) => {
    // The page is served under /app/: /app/assets/x.js is dist/assets/x.js.
    const path = src.replace(/^\/app\//, "").replace(/^\.?\//, "");
    const bytes = readFileSync(join(dist, path));
    return { path, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
  });
  return { files, gzipKb: files.reduce((a, f) => a + f.gzipBytes, 0) / 1024 };
}

// ---------------------------------------------------------------------------------------------
// Report

const fixed = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : "-");

const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  let db: Db | undefined;
  let redis: Redis | undefined;
  try {
    const reusing = reuse && (await databaseExists());
    if (!reusing) {
      await dropDatabase();
      await withAdmin((admin) => admin.unsafe(`CREATE DATABASE "${benchDbName}"`));
    }
    db = createDb(urlFor(benchDbName), { max: 10 });
    let fixture: Fixture;
    if (reusing) {
      process.stdout.write(`reusing ${benchDbName} (--reuse)\n`);
      fixture = await existingFixture(db);
    } else {
      await runMigrations(db);
      process.stdout.write(`seeding ${clientCount.toLocaleString("en")} clients and ${(clientCount * rowsPerClient).toLocaleString("en")} ledger rows…\n`);
      const seedStarted = performance.now();
      fixture = await seed(db);
      process.stdout.write(`  seeded and analysed in ${((performance.now() - seedStarted) / 1_000).toFixed(1)} s\n`);
    }
    // A kept database gets the migrations written since it was seeded (none: nothing to do).
    if (reusing) await runMigrations(db);
    // As the worker's nightly job leaves production: the ledger's totals as of last midnight (a second run adds none).
    const totalsWritten = await advanceLedgerTotals(db, systemClock);
    process.stdout.write(`  nightly ledger totals: ${totalsWritten} written\n`);
    const counts = await tableCounts(db);
    process.stdout.write(`  ${Object.entries(counts).map(([k, v]) => `${k} ${v.toLocaleString("en")}`).join(", ")}\n`);
    if (counts.drift !== 0) throw new Error(`${counts.drift} cached balances differ from their ledger sums: the seed is wrong`);

    redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    const adminIds = [adminTelegramId];
    const app = createWebApp({
      db,
      redis,
      logger: pino({ level: "warn" }),
      clock: systemClock,
      clientBotToken,
      adminIds,
      publicUrl: "https://bench.example",
      initDataMaxAgeSeconds: 3_600,
      clientBotUsername: async () => "bench_client_bot",
      pages: { miniApp: null, dashboard: null },
    });

    // 1–2. The Mini App's API for random clients (initData signed beforehand: signing is the phone's work, not ours).
    const randomClient = () => 1 + Math.floor(Math.random() * clientCount);
    const total = cardRequests + warmUpRequests;
    const initData = Array.from({ length: total }, () => initDataFor(randomClient()));
    const tma = (i: number) => ({ headers: { authorization: `tma ${initData[i < 0 ? -1 - i : warmUpRequests + i]!}` } });
    process.stdout.write(`GET /api/app/card × ${cardRequests}…\n`);
    const card = await measure(cardRequests, warmUpRequests, concurrency, (i) => app.request("/api/app/card", tma(i)));
    process.stdout.write(`GET /api/app/history × ${cardRequests}…\n`);
    const history = await measure(cardRequests, warmUpRequests, concurrency, (i) => app.request("/api/app/history", tma(i)));

    // 3. The overview for the last 30 days: the network, and the busiest partner (the first).
    const period = `from=${analyticsDate(addDays(new Date(), -29))}&to=${analyticsDate(new Date())}`;
    const adminCookie = await sessionCookie(db, { telegramId: adminTelegramId, role: "admin", partnerId: null }, adminIds);
    const busiest = fixture.partners[0]!;
    const partnerCookie = await sessionCookie(db, { telegramId: busiest.ownerTelegramId, role: "partner", partnerId: busiest.id }, adminIds);
    const [window] = await db.execute<{ ledger: string; checks: string; partner_ledger: string; partner_checks: string }>(sql`
      SELECT (SELECT count(*) FROM ledger_entries WHERE created_at >= now() - interval '30 days') AS ledger,
             (SELECT count(*) FROM purchases WHERE created_at >= now() - interval '30 days') AS checks,
             (SELECT count(*) FROM ledger_entries WHERE partner_id = ${busiest.id} AND created_at >= now() - interval '30 days') AS partner_ledger,
             (SELECT count(*) FROM purchases WHERE partner_id = ${busiest.id} AND created_at >= now() - interval '30 days') AS partner_checks`);
    process.stdout.write(`GET /api/dashboard/overview?${period} × ${overviewRequests}, admin and partner…\n`);
    const overviewAdmin = await measure(overviewRequests, 5, 1, () => app.request(`/api/dashboard/overview?${period}`, { headers: { cookie: adminCookie } }));
    const overviewPartner = await measure(overviewRequests, 5, 1, () => app.request(`/api/dashboard/overview?${period}`, { headers: { cookie: partnerCookie } }));

    // 4. The ledger export of a million rows.
    process.stdout.write(`GET /api/dashboard/export/ledger.csv (≥ ${exportRowsWanted.toLocaleString("en")} rows)…\n`);
    const exported = await measureExport(db, app, adminCookie);

    // 5. The Mini App's first screen.
    process.stdout.write(`building the Mini App (if its sources changed)…\n`);
    const bundle = await miniAppFirstScreen();

    const [{ server_version: serverVersion } = { server_version: "?" }] = await db.execute<{ server_version: string }>(sql`SHOW server_version`);
    const out: string[] = [""];
    out.push(
      `web benchmark: ${counts.clients!.toLocaleString("en")} clients, ${counts.ledger_entries!.toLocaleString("en")} ledger rows, ${counts.purchases!.toLocaleString("en")} checks, ${partnerCount} partners`,
      `requests through createWebApp().request() (no socket); card/history: ${concurrency} in flight, random clients, after ${warmUpRequests} warm-up; overview: one at a time after 5 warm-up`,
      `the last 30 days: ${Number(window!.ledger).toLocaleString("en")} ledger rows and ${Number(window!.checks).toLocaleString("en")} checks in the network, ` +
        `${Number(window!.partner_ledger).toLocaleString("en")} and ${Number(window!.partner_checks).toLocaleString("en")} at partner ${busiest.id}`,
      `Node ${process.version}, PostgreSQL ${serverVersion}, ${availableParallelism()} CPUs (shared by Node and Postgres); load average ${loadavg().map((x) => x.toFixed(1)).join(" ")} at the end`,
      "",
    );
    const latencyRow = (name: string, l: Latencies) => [name, String(l.count), fixed(l.p50, 1), fixed(l.p95, 1), fixed(l.p99, 1), fixed(l.max, 1), String(l.errors)];
    out.push(
      table(
        ["request", "n", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors"],
        [
          latencyRow("GET /api/app/card", card),
          latencyRow("GET /api/app/history (first page)", history),
          latencyRow("GET /api/dashboard/overview, 30 days, admin", overviewAdmin),
          latencyRow(`GET /api/dashboard/overview, 30 days, partner ${busiest.id}`, overviewPartner),
        ],
        ["left", "right", "right", "right", "right", "right", "right"],
      ),
      "",
      `ledger CSV ${exported.from} … ${exported.to}: HTTP ${exported.status}, ${exported.rows.toLocaleString("en")} rows, ${fixed(mb(exported.bytes), 1)} MB in ${fixed(exported.wallMs / 1_000, 1)} s ` +
        `(${fixed(exported.rows / (exported.wallMs / 1_000), 0)} rows/s); RSS before ${fixed(exported.rssBeforeMb, 0)} MB, peak ${fixed(exported.rssPeakMb, 0)} MB ` +
        `(+${fixed(exported.rssPeakMb - exported.rssBeforeMb, 0)} MB, ${exported.rssSamples} samples every ${rssSampleMs} ms), after ${fixed(exported.rssAfterMb, 0)} MB; ` +
        `peak RSS by quarter of the download ${exported.rssQuarterPeaksMb.map((x) => fixed(x, 0)).join(" / ")} MB; V8 heap used at most ${fixed(exported.heapPeakMb, 0)} MB`,
      `Mini App first screen: ${bundle.files.map((f) => `${f.path} ${fixed(f.bytes / 1024, 1)} KB (${fixed(f.gzipBytes / 1024, 1)} KB gzip)`).join(", ")}`,
      "",
    );
    // Constant memory: no growth with the rows read. The first quarter fills the pipeline (cursor batch, stream
    // queue, the V8 heap sized up by the garbage collector); from then on the peak stays put — the last quarter's is
    // within 16 MB of the second's — and the whole download within a fixed allowance of where it began.
    const exportGrowthMb = exported.rssPeakMb - exported.rssBeforeMb;
    const exportCreepMb = exported.rssQuarterPeaksMb[3]! - exported.rssQuarterPeaksMb[1]!;
    out.push(
      table(
        ["target", "measured", "result"],
        [
          [`card API p99 < ${targets.cardP99Ms} ms`, `${fixed(card.p99, 1)} ms`, verdict(card.p99 < targets.cardP99Ms && card.errors === 0)],
          [`overview (admin) p99 < ${targets.overviewP99Ms} ms`, `${fixed(overviewAdmin.p99, 1)} ms`, verdict(overviewAdmin.p99 < targets.overviewP99Ms && overviewAdmin.errors === 0)],
          [`overview (partner) p99 < ${targets.overviewP99Ms} ms`, `${fixed(overviewPartner.p99, 1)} ms`, verdict(overviewPartner.p99 < targets.overviewP99Ms && overviewPartner.errors === 0)],
          [
            `ledger CSV ≥ ${exportRowsWanted.toLocaleString("en")} rows in constant memory (RSS: 4th quarter's peak ≤ 2nd's + 16 MB, growth < 128 MB)`,
            `${exported.rows.toLocaleString("en")} rows, +${fixed(exportGrowthMb, 0)} MB, ${exportCreepMb >= 0 ? "+" : ""}${fixed(exportCreepMb, 0)} MB 2nd→4th`,
            verdict(exported.status === 200 && exported.rows >= exportRowsWanted && exportCreepMb <= 16 && exportGrowthMb < 128),
          ],
          [`Mini App first-screen JS < ${targets.miniAppJsGzipKb} KB gzip`, `${fixed(bundle.gzipKb, 1)} KB`, verdict(bundle.files.length > 0 && bundle.gzipKb < targets.miniAppJsGzipKb)],
        ],
        ["left", "right", "left"],
      ),
    );
    for (const [name, l] of [["card", card], ["history", history], ["overview admin", overviewAdmin], ["overview partner", overviewPartner]] as const) {
      for (const [message, count] of l.errorSamples) out.push(`error in ${name} (${count}x): ${message}`);
    }
    process.stdout.write(`${out.join("\n")}\n`);

    const r1 = (x: number) => Math.round(x * 10) / 10;
    const figures = {
      clients: counts.clients,
      ledger_rows: counts.ledger_entries,
      card_p50_ms: r1(card.p50),
      card_p95_ms: r1(card.p95),
      card_p99_ms: r1(card.p99),
      card_errors: card.errors,
      history_p50_ms: r1(history.p50),
      history_p99_ms: r1(history.p99),
      overview_admin_p50_ms: r1(overviewAdmin.p50),
      overview_admin_p99_ms: r1(overviewAdmin.p99),
      overview_partner_p50_ms: r1(overviewPartner.p50),
      overview_partner_p99_ms: r1(overviewPartner.p99),
      export_rows: exported.rows,
      export_mb: r1(mb(exported.bytes)),
      export_wall_s: r1(exported.wallMs / 1_000),
      export_rss_before_mb: Math.round(exported.rssBeforeMb),
      export_rss_peak_mb: Math.round(exported.rssPeakMb),
      export_rss_quarter_peaks_mb: exported.rssQuarterPeaksMb.map(Math.round),
      export_heap_peak_mb: Math.round(exported.heapPeakMb),
      mini_app_js_gzip_kb: r1(bundle.gzipKb),
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    redis?.disconnect();
    if (db) await closeDb(db);
    if (keep) process.stdout.write(`kept ${benchDbName} (run again with --reuse, or drop it)\n`);
    else await dropDatabase().catch((err: unknown) => process.stderr.write(`could not drop ${benchDbName}: ${String(err)}\n`));
  }
}

await main();
