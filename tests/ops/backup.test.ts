import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accrue, confirmRedemption, requestRedemption } from "../../core/ledger/service.js";
import { closeDb, createDb, type Db } from "../../db/client.js";
import { runMigrations } from "../../db/migrate.js";
import { backupFileName } from "../../ops/backup.js";
import { libpqConnection, runTool } from "../../ops/postgres-tools.js";
import { adminDatabaseUrl, testDatabaseName } from "../helpers/env.js";
import { makeClient, makePartner, setSettings } from "../helpers/fixtures.js";

// `npm run db:backup` and `npm run db:restore` run as real children against a scratch database of their own (the
// restore refuses while other sessions are connected, so this file never holds a connection to it across a run).
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const scratchName = `${testDatabaseName}_backup`;
const scratchUrl = (() => {
  const u = new URL(adminDatabaseUrl);
  u.pathname = `/${scratchName}`;
  return u.toString();
})();

type Run = { code: number; stdout: string; stderr: string };

function run(command: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((done) => {
    execFile(command, args, { cwd: root, env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const backup = (env: Record<string, string> = {}) => run("npm", ["run", "-s", "db:backup"], { DATABASE_URL: scratchUrl, BACKUP_DIR: backupDir, LOG_LEVEL: "info", ...env });
const restore = (...args: string[]) => run("npm", ["run", "-s", "db:restore", "--", ...args], { DATABASE_URL: scratchUrl });

async function withAdmin<T>(fn: (admin: postgres.Sql) => Promise<T>): Promise<T> {
  const admin = postgres(adminDatabaseUrl, { max: 1, onnotice: () => {} });
  try {
    return await fn(admin);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

async function recreateScratch(): Promise<void> {
  await withAdmin(async (admin) => {
    await admin.unsafe(`DROP DATABASE IF EXISTS "${scratchName}" WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE "${scratchName}"`);
  });
}

async function withScratch<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = createDb(scratchUrl, { max: 1 });
  try {
    return await fn(db);
  } finally {
    await closeDb(db);
  }
}

/**
 * Everything the database holds: every table of every schema we own (public and drizzle's), each as the sorted
 * text of all its rows, and where every sequence stands.
 */
async function snapshot(): Promise<{ tables: Record<string, string[]>; sequences: Record<string, string | null> }> {
  return withScratch(async (db) => {
    const names = await db.execute<{ name: string }>(sql`
      SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
      WHERE table_schema IN ('public', 'drizzle') AND table_type = 'BASE TABLE' ORDER BY 1`);
    const tables: Record<string, string[]> = {};
    for (const { name } of names) {
      const rows = await db.execute<{ row: string }>(sql.raw(`SELECT t::text AS row FROM ${name} t ORDER BY 1`));
      tables[name] = rows.map((r) => r.row);
    }
    const sequences = await db.execute<{ name: string; last_value: string | null }>(sql`SELECT schemaname || '.' || sequencename AS name, last_value::text FROM pg_sequences ORDER BY 1`);
    return { tables, sequences: Object.fromEntries(sequences.map((s) => [s.name, s.last_value])) };
  });
}

let backupDir: string;
let before: Awaited<ReturnType<typeof snapshot>>;
let backupFile: string;

beforeAll(async () => {
  backupDir = await mkdtemp(join(tmpdir(), "cashback-backups-"));
  await recreateScratch();
  await withScratch(async (db) => {
    await runMigrations(db);
    await setSettings(db, { welcomeBonus: 50 });
    const cafe = await makePartner(db, "Кофейня");
    const bakery = await makePartner(db, "Пекарня");
    const anna = await makeClient(db, 300);
    const boris = await makeClient(db, 0, { startPayload: `r_${anna.client.referralCode}` });
    for (const [i, staff] of [cafe, bakery, cafe].entries()) {
      await accrue(db, { partnerId: staff.partnerId, staffTelegramId: staff.staffTelegramId, clientId: boris.clientId, amountKopecks: 150_000 + i * 1_000, receiptNumber: `R-${i}` });
    }
    const request = await requestRedemption(db, { partnerId: bakery.partnerId, staffTelegramId: bakery.staffTelegramId, clientId: anna.clientId, checkKopecks: 100_000, points: 40, idempotencyKey: "redeem-1" });
    await confirmRedemption(db, { by: { kind: "client", clientId: anna.clientId, requestId: request.id }, decisionKey: "confirm-1" });
    await db.execute(sql`UPDATE jobs SET status = 'dead', attempts = 8, last_error = 'Forbidden: bot was blocked' WHERE id = (SELECT min(id) FROM jobs)`);
  });
  before = await snapshot();
});

afterAll(async () => {
  await withAdmin((admin) => admin.unsafe(`DROP DATABASE IF EXISTS "${scratchName}" WITH (FORCE)`));
  await rm(backupDir, { recursive: true, force: true });
});

describe("npm run db:backup", () => {
  it("the seeded database has what a backup must carry: ledger rows, balances, jobs (one dead), migrations", () => {
    expect(before.tables["public.ledger_entries"]!.length).toBeGreaterThanOrEqual(6);
    expect(before.tables["public.balances"]!.length).toBe(2);
    expect(before.tables["public.jobs"]!.length).toBeGreaterThanOrEqual(4);
    expect(before.tables["public.jobs"]!.some((row) => row.includes("dead"))).toBe(true);
    expect(before.tables["drizzle.__drizzle_migrations"]!.length).toBeGreaterThan(10);
  });

  it("writes cashback-<UTC time>.dump (private), says where and how big, and keeps only the newest BACKUP_KEEP of its own files", async () => {
    const older = ["cashback-20240101T000000Z.dump", "cashback-20250101T000000Z.dump", "cashback-20250601T000000Z.dump", "cashback-20251231T235959Z.dump"];
    const foreign = ["notes.txt", "cashback-latest.dump", "other-20200101T000000Z.dump"];
    for (const name of [...older, ...foreign]) await writeFile(join(backupDir, name), "not a dump");

    const result = await backup({ BACKUP_KEEP: "3" });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const line = JSON.parse(result.stdout.trim()) as { msg: string; file: string; bytes: number; deleted: string[] };
    backupFile = line.file;
    expect(backupFile).toMatch(/\/cashback-\d{8}T\d{6}Z\.dump$/);
    expect(dirname(backupFile)).toBe(backupDir);
    const info = await stat(backupFile);
    expect(line.bytes).toBe(info.size);
    expect(line.msg).toMatch(/^backup written: .*cashback-\d{8}T\d{6}Z\.dump \(\d+(\.\d)? KiB\)$/);
    expect(info.mode & 0o777).toBe(0o600);
    expect((await readFile(backupFile)).subarray(0, 5).toString()).toBe("PGDMP"); // custom format

    expect(line.deleted.sort()).toEqual(older.slice(0, 2));
    expect((await readdir(backupDir)).sort()).toEqual([...foreign, ...older.slice(2), backupFile.split("/").pop()!].sort());
    for (const name of older.slice(0, 2)) await expect(stat(join(backupDir, name))).rejects.toThrow();
    for (const name of older.slice(2)) await rm(join(backupDir, name));
  });

  it("names sort by time: the name is the UTC second it was taken", () => {
    expect(backupFileName(new Date("2026-11-25T02:30:07.123Z"))).toBe("cashback-20261125T023007Z.dump");
  });

  it("stops with one line and leaves no file when pg_dump fails, or is missing (pointing at the version rule)", async () => {
    const filesBefore = (await readdir(backupDir, { withFileTypes: true })).map((e) => e.name).sort();
    const failed = await backup({ DATABASE_URL: scratchUrl.replace(scratchName, `${scratchName}_missing`) });
    expect(failed.code).toBe(1);
    const failure = JSON.parse(failed.stdout.trim()) as { level: number; msg: string };
    expect(failure.level).toBe(50);
    expect(failure.msg).toMatch(/^backup failed: pg_dump failed \(exit code 1\): .*database "cashback\w*_missing" does not exist$/);

    const missing = await run(process.execPath, ["--import", "tsx", "ops/backup.ts"], { DATABASE_URL: scratchUrl, BACKUP_DIR: backupDir, PATH: "/nonexistent" });
    expect(missing.code).toBe(1);
    expect((JSON.parse(missing.stdout.trim()) as { msg: string }).msg).toBe("backup failed: pg_dump not found: install postgresql-client; its major version must be at least the server's");

    const badKeep = await backup({ BACKUP_KEEP: "0" });
    expect(badKeep).toMatchObject({ code: 1, stdout: "" });
    expect(badKeep.stderr.trim()).toBe("config: BACKUP_KEEP is invalid: Too small: expected number to be >=1");
    expect((await readdir(backupDir)).sort()).toEqual(filesBefore);
  });

  it("keeps the password off pg_dump's command line (anyone can read it in ps)", () => {
    const { url, env } = libpqConnection("postgres://cashback:s%40cret%2F1@db.example.com:5433/cashback?sslmode=require");
    expect(url).toBe("postgres://cashback@db.example.com:5433/cashback?sslmode=require");
    expect(env.PGPASSWORD).toBe("s@cret/1");
    expect(libpqConnection("postgres://postgres@127.0.0.1/x").env.PGPASSWORD).toBeUndefined();
  });
});

describe("npm run db:restore", () => {
  it("over a database changed since the backup (new rows, a dropped row, a table the backup never had): exactly the backup again", async () => {
    await withScratch(async (db) => {
      const cafe = await makePartner(db, "Новая кофейня");
      const carl = await makeClient(db, 500);
      await accrue(db, { partnerId: cafe.partnerId, staffTelegramId: cafe.staffTelegramId, clientId: carl.clientId, amountKopecks: 90_000, receiptNumber: "late" });
      await db.execute(sql`DELETE FROM drizzle.__drizzle_migrations WHERE id = (SELECT max(id) FROM drizzle.__drizzle_migrations)`);
      await db.execute(sql`CREATE TABLE later_migration (id int)`);
    });
    expect(await snapshot()).not.toEqual(before);

    const result = await restore(backupFile, "--yes");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`restored ${backupFile} into "${scratchName}"`);
    expect(result.stdout).toContain("start the network again");
    expect(await snapshot()).toEqual(before);
  });

  it("into a wiped (dropped and created again) database: exactly the backup, and the migrations know they ran", async () => {
    await recreateScratch();
    const result = await restore(backupFile, "--yes");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(await snapshot()).toEqual(before);
    const migrate = await run("npm", ["run", "-s", "db:migrate"], { DATABASE_URL: scratchUrl });
    expect(migrate).toMatchObject({ code: 0, stdout: "migrations applied\n" });
    expect(await snapshot()).toEqual(before);
  });

  it("refuses a missing file, a file that is no dump, a dump cut short, and no confirmation; nothing changes", async () => {
    const notADump = join(backupDir, "notes.txt");
    const cut = join(backupDir, "cut.dump");
    await writeFile(cut, await readFile(backupFile));
    await truncate(cut, (await stat(backupFile)).size - 200);
    // Its table of contents is whole: the cut is found only while replaying the rows, inside the transaction.
    expect(await runTool("pg_restore", ["--list", cut], process.env)).toContain("TABLE DATA public ledger_entries");

    const refusals: [string[], RegExp][] = [
      [[join(backupDir, "nothing-here.dump"), "--yes"], /^restore failed, nothing changed: .*nothing-here\.dump: no such file$/],
      [[notADump, "--yes"], /^restore failed, nothing changed: .*notes\.txt is not a backup made by npm run db:backup \(pg_restore failed \(exit code 1\): input file does not appear to be a valid archive/],
      [[cut, "--yes"], /^restore failed, nothing changed: pg_restore failed \(exit code 1\): could not read from input file: end of file$/],
      [[backupFile], /^restore refused: add --yes to confirm \(usage: npm run db:restore -- FILE \[--yes\]\)$/],
      [[], /^usage: npm run db:restore -- FILE \[--yes\]$/],
    ];
    for (const [args, message] of refusals) {
      const result = await restore(...args);
      expect(result.code, args.join(" ")).not.toBe(0);
      expect(result.stderr.trim(), args.join(" ")).toMatch(message);
    }
    expect(await snapshot()).toEqual(before);
  });

  it("refuses while the network is still connected to the database", async () => {
    const app = postgres(scratchUrl, { max: 1, connection: { application_name: "cashback-worker" }, onnotice: () => {} });
    try {
      await app`SELECT 1`;
      await withScratch((db) => db.execute(sql`DELETE FROM jobs`));
      const result = await restore(backupFile, "--yes");
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toMatch(/^restore refused: 1 other session\(s\) are connected to "\w+" \(cashback-worker\); stop the network first \(sudo systemctl stop cashback\.target\)$/);
      expect((await snapshot()).tables["public.jobs"]).toEqual([]);
    } finally {
      await app.end({ timeout: 5 });
    }
    expect((await restore(backupFile, "--yes")).code).toBe(0);
    expect(await snapshot()).toEqual(before);
  });
});
