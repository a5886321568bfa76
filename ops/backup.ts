// `npm run db:backup`: a pg_dump of DATABASE_URL in custom format (restore it with `npm run db:restore FILE`) into
// BACKUP_DIR as cashback-<UTC time>.dump, then only the newest BACKUP_KEEP of those files are kept.
// The systemd timer systemd/cashback-backup.timer runs it every night.
import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { loadConfigOrExit } from "../core/config.js";
import { createLogger, type Logger } from "../core/logger.js";
import { isEntryPoint } from "../core/process.js";
import { libpqConnection, runTool, ToolError } from "./postgres-tools.js";

/** Our backups' names; retention never touches any other file in BACKUP_DIR. */
export const backupNamePattern = /^cashback-\d{8}T\d{6}Z\.dump$/;
/** A dump being written has this name until it is complete, so a half-written file is never taken for a backup. */
const partialNamePattern = /^\.cashback-\d{8}T\d{6}Z\.dump\.partial$/;
/** A partial file this old is left over from a backup that was killed, not one in progress. */
const abandonedAfterMs = 24 * 3600 * 1000;

/** `cashback-20261125T023000Z.dump`: sorting the names sorts the backups by time. */
export function backupFileName(at: Date): string {
  const stamp = at.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
  return `cashback-${stamp}.dump`;
}

export type BackupResult = { file: string; bytes: number; deleted: string[] };

export async function backupDatabase(options: { databaseUrl: string; dir: string; keep: number; now?: Date }): Promise<BackupResult> {
  const dir = resolve(options.dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const name = backupFileName(options.now ?? new Date());
  const file = join(dir, name);
  if (await exists(file)) throw new ToolError(`${file} already exists (one backup per second)`);
  const partial = join(dir, `.${name}.partial`);
  const { url, env } = libpqConnection(options.databaseUrl);
  try {
    // Made first, private: a dump holds phone numbers, and pg_dump keeps the mode of the file it overwrites.
    await (await open(partial, "w", 0o600)).close();
    // --no-password: a timer has nobody to type one; a missing password is an error, not a prompt.
    await runTool("pg_dump", ["--format=custom", "--no-password", `--file=${partial}`, `--dbname=${url}`], env);
    await fsync(partial);
    await rename(partial, file);
    await fsync(dir); // the rename itself survives a power cut
  } finally {
    await rm(partial, { force: true });
  }
  const { size } = await stat(file);
  const deleted = await prune(dir, options.keep);
  return { file, bytes: size, deleted };
}

/** Deletes all but the newest `keep` backups, and partial files abandoned by killed runs. Returns the names deleted. */
async function prune(dir: string, keep: number): Promise<string[]> {
  const names = await readdir(dir);
  const backups = names.filter((n) => backupNamePattern.test(n)).sort();
  const old = backups.slice(0, Math.max(0, backups.length - keep));
  for (const name of old) await rm(join(dir, name), { force: true });
  for (const name of names.filter((n) => partialNamePattern.test(n))) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => null);
    if (info && Date.now() - info.mtimeMs > abandonedAfterMs) await rm(path, { force: true });
  }
  return old;
}

async function fsync(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const exists = (path: string) => stat(path).then(() => true, () => false);

async function main(logger: Logger, config: { DATABASE_URL: string; BACKUP_DIR: string; BACKUP_KEEP: number }): Promise<void> {
  try {
    const result = await backupDatabase({ databaseUrl: config.DATABASE_URL, dir: config.BACKUP_DIR, keep: config.BACKUP_KEEP });
    logger.info({ file: result.file, bytes: result.bytes, deleted: result.deleted, keep: config.BACKUP_KEEP }, `backup written: ${result.file} (${formatBytes(result.bytes)})`);
  } catch (err) {
    if (err instanceof ToolError) logger.error(`backup failed: ${err.message}`);
    else logger.error({ err }, `backup failed: ${String(err)}`);
    process.exitCode = 1;
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

if (isEntryPoint(import.meta.url)) {
  const config = loadConfigOrExit(["DATABASE_URL", "BACKUP_DIR", "BACKUP_KEEP", "LOG_LEVEL"]);
  await main(createLogger(config.LOG_LEVEL, "backup"), config);
}
