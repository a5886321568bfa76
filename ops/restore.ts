// `npm run db:restore -- FILE [--yes]`: replaces everything in DATABASE_URL with a backup made by `npm run db:backup`.
// The database ends up exactly as it was when the backup was taken (drizzle's migrations table included), or, if
// anything fails, exactly as it was before: the schemas are dropped and the dump replayed in one transaction.
// The network must be stopped while it runs, and started again afterwards.
import { createInterface } from "node:readline/promises";
import { stat } from "node:fs/promises";
import postgres from "postgres";
import { loadConfigOrExit } from "../core/config.js";
import { isEntryPoint } from "../core/process.js";
import { libpqConnection, runTool, startTool, ToolError } from "./postgres-tools.js";

const usage = "usage: npm run db:restore -- FILE [--yes]";

/** What `pg_restore --list` says about a backup. */
export type BackupInfo = { createdAt: string; dbname: string; schemas: string[] };

/** Refuses (ToolError) anything but a custom-format dump of this network's database. */
export async function inspectBackup(file: string): Promise<BackupInfo> {
  const info = await stat(file).catch(() => null);
  if (!info) throw new ToolError(`${file}: no such file`);
  if (!info.isFile()) throw new ToolError(`${file}: not a file`);
  let toc: string;
  try {
    toc = await runTool("pg_restore", ["--list", file], process.env);
  } catch (err) {
    if (err instanceof ToolError && !/not found/.test(err.message)) throw new ToolError(`${file} is not a backup made by npm run db:backup (${err.message})`);
    throw err;
  }
  if (!/^;\s+Format: CUSTOM$/m.test(toc)) throw new ToolError(`${file} is not a custom-format dump (npm run db:backup makes those)`);
  if (!/^\d+; \d+ \d+ TABLE public ledger_entries /m.test(toc)) throw new ToolError(`${file} is not a backup of this network's database (it has no ledger_entries table)`);
  const schemas = [...toc.matchAll(/^\d+; \d+ \d+ SCHEMA - (\S+) /gm)].map((m) => m[1]!);
  return {
    createdAt: /^;\s+Archive created at (.+)$/m.exec(toc)?.[1] ?? "an unknown time",
    dbname: /^;\s+dbname: (.+)$/m.exec(toc)?.[1] ?? "?",
    schemas,
  };
}

/** Sessions other than ours connected to the database: restoring under running processes would mix two states. */
export async function otherSessions(databaseUrl: string): Promise<string[]> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ application_name: string }[]>`
      SELECT application_name FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`;
    return rows.map((r) => r.application_name || "unnamed");
  } finally {
    await sql.end({ timeout: 5 });
  }
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Drops the dump's schemas (and `public`, which a dump never creates) and replays the dump, in one transaction
 * that commits only when pg_restore has read the whole file: a truncated or corrupt dump changes nothing.
 * `--no-owner --no-acl`: the objects belong to the user restoring, so a backup restores on another server
 * whose roles differ.
 */
export async function restoreBackup(options: { databaseUrl: string; file: string; schemas: readonly string[] }): Promise<void> {
  const { url, env } = libpqConnection(options.databaseUrl);
  const dropped = [...new Set([...options.schemas, "public"])];
  const preamble = [
    "SET client_min_messages = warning;",
    "BEGIN;",
    ...dropped.map((s) => `DROP SCHEMA IF EXISTS ${quoteIdent(s)} CASCADE;`),
    "CREATE SCHEMA public;",
    "GRANT USAGE ON SCHEMA public TO PUBLIC;",
    "",
  ].join("\n");
  const psql = startTool("psql", ["--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1", `--dbname=${url}`], {
    env,
    stdio: ["pipe", "ignore", "pipe"],
  });
  const pgRestore = startTool("pg_restore", ["--no-owner", "--no-acl", "--file=-", options.file], { env, stdio: ["ignore", "pipe", "pipe"] });
  const input = psql.child.stdin!;
  input.on("error", () => {}); // psql stopped at an error: its exit code tells
  let firstToFail: "psql" | "pg_restore" | undefined;
  psql.done.catch(() => {
    firstToFail ??= "psql";
    pgRestore.child.kill();
  });
  pgRestore.done.catch(() => (firstToFail ??= "pg_restore"));
  input.write(preamble);
  pgRestore.child.stdout!.pipe(input, { end: false });
  const replayed = pgRestore.done.then(
    () => void input.end("COMMIT;\n"),
    (err: unknown) => {
      input.end(); // no COMMIT: psql leaves at the end of its input, and the server rolls the transaction back
      throw err;
    },
  );
  const [dump, sql] = await Promise.allSettled([replayed, psql.done]);
  // The first to fail explains: a pg_restore killed because psql stopped has nothing to say, and a psql whose
  // input ended in the middle of a dump (a file cut short) only complains about the missing rest.
  if (dump.status === "rejected" && firstToFail === "pg_restore") throw dump.reason;
  if (sql.status === "rejected") throw sql.reason;
  if (dump.status === "rejected") throw dump.reason;
}

async function confirmed(databaseName: string, file: string, backup: BackupInfo, yes: boolean): Promise<boolean> {
  process.stdout.write(`${file}: a backup of "${backup.dbname}" taken at ${backup.createdAt}.\n`);
  process.stdout.write(`Everything in database "${databaseName}" will be replaced by it.\n`);
  if (yes) return true;
  if (!process.stdin.isTTY) {
    process.stderr.write(`restore refused: add --yes to confirm (${usage})\n`);
    return false;
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`Type the database name (${databaseName}) to go on: `);
    if (answer.trim() === databaseName) return true;
    process.stderr.write("restore cancelled: the name did not match\n");
    return false;
  } finally {
    rl.close();
  }
}

async function main(args: string[]): Promise<number> {
  const yes = args.includes("--yes");
  const rest = args.filter((a) => a !== "--yes");
  if (rest.length !== 1 || rest[0]!.startsWith("-")) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const file = rest[0]!;
  const { DATABASE_URL } = loadConfigOrExit(["DATABASE_URL"]);
  const databaseName = decodeURIComponent(new URL(DATABASE_URL).pathname.slice(1));
  try {
    const backup = await inspectBackup(file);
    if (!(await confirmed(databaseName, file, backup, yes))) return 1;
    const others = await otherSessions(DATABASE_URL);
    if (others.length > 0) {
      process.stderr.write(
        `restore refused: ${others.length} other session(s) are connected to "${databaseName}" (${[...new Set(others)].join(", ")}); ` +
          "stop the network first (sudo systemctl stop cashback.target)\n",
      );
      return 1;
    }
    await restoreBackup({ databaseUrl: DATABASE_URL, file, schemas: backup.schemas });
  } catch (err) {
    process.stderr.write(`restore failed, nothing changed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  process.stdout.write(
    `restored ${file} into "${databaseName}".\n` +
      "Now run npm run db:migrate (the backup may predate the code), then start the network again (sudo systemctl start cashback.target).\n",
  );
  return 0;
}

if (isEntryPoint(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
