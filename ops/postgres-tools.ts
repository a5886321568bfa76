// What `npm run db:backup` and `npm run db:restore` share: how PostgreSQL's own client tools (pg_dump, pg_restore,
// psql) are pointed at DATABASE_URL, and how their failures become one clear line.
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";

/** Printed with every "missing tool" or "version mismatch" failure: the usual cause of both. */
export const versionHint = "install postgresql-client; its major version must be at least the server's";

/**
 * The connection for libpq tools. The URL goes on their command line without its password (anyone can read a
 * command line in `ps`); the password travels in PGPASSWORD, which only this user and root can read.
 */
export function libpqConnection(databaseUrl: string): { url: string; env: NodeJS.ProcessEnv } {
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = "";
  const env: NodeJS.ProcessEnv = { ...process.env, PGPASSWORD: password };
  if (!password) delete env.PGPASSWORD;
  return { url: url.toString(), env };
}

/** A client tool's failure: `message` is the one line to print. */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolError";
  }
}

/** Starts a client tool; a missing binary becomes a ToolError through `done`. */
export function startTool(command: string, args: readonly string[], options: SpawnOptions): { child: ChildProcess; done: Promise<void> } {
  const child = spawn(command, args, options);
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-8_000);
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on("error", (err: NodeJS.ErrnoException) => {
      reject(new ToolError(err.code === "ENOENT" ? `${command} not found: ${versionHint}` : `${command} could not start: ${err.message}`));
    });
    child.on("close", (code, signal) => {
      if (code === 0) return resolve();
      const said = lastLine(stderr);
      const hint = /version mismatch|unsupported version/i.test(stderr) ? ` (${versionHint})` : "";
      reject(new ToolError(`${command} failed (${signal ?? `exit code ${code}`})${said ? `: ${said}` : ""}${hint}`));
    });
  });
  return { child, done };
}

/** Runs a client tool to the end and returns what it printed on stdout. */
export async function runTool(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  const { child, done } = startTool(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  await done;
  return stdout;
}

/** The last non-empty line a tool printed (its error), without libpq's "pg_dump: error: " prefix. */
function lastLine(text: string): string {
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l.length > 0);
  const errors = lines.filter((l) => /\berror:/.test(l));
  return (errors.at(-1) ?? lines.at(-1) ?? "").replace(/^\S+: error: /, "");
}
