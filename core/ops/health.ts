// Readiness: may this process be sent work? (Liveness, /healthz, checks nothing but that the process answers.)
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { migrationsFolder } from "../../db/migrate.js";
import type { Runtime } from "../runtime.js";
import { withTimeout } from "./timeout.js";

export type Readiness = { ok: boolean; checks: { postgres: string; redis: string; migrations: string; process: string } };

/** Set once SIGTERM arrives: /readyz answers 503 "shutting down" so a load balancer stops sending work. */
export const lifecycle = { draining: false };

/** How long each dependency may take to answer before it counts as unreachable. */
export const readinessTimeoutMs = 1_000;

/** Where drizzle's migrator records what it applied (drizzle-orm's defaults, which db/migrate.ts keeps). */
const appliedMigrations = "drizzle.__drizzle_migrations";

/** "ok", or what went wrong in a few words (never a URL or a password: errors of a connection are reduced to their code and message). */
const describe = (err: unknown) => {
  const e = err as { code?: unknown; message?: unknown };
  return `unreachable: ${typeof e.code === "string" ? `${e.code} ` : ""}${String(e.message ?? err)}`.trim().slice(0, 200);
};

/** The committed migrations (db/migrations/meta/_journal.json): their timestamps, which drizzle stores as `created_at` when it applies one. */
let journal: Promise<number[]> | undefined;
const committedMigrations = () =>
  (journal ??= readFile(join(migrationsFolder, "meta", "_journal.json"), "utf8").then((text) => (JSON.parse(text) as { entries: { when: number }[] }).entries.map((e) => e.when)));

async function migrationsCheck(db: Runtime["db"]): Promise<string> {
  const committed = await committedMigrations();
  const rows = await db.$client.unsafe<{ created_at: string }[]>(`SELECT created_at::text AS created_at FROM ${appliedMigrations}`);
  const applied = new Set(rows.map((r) => Number(r.created_at)));
  const pending = committed.filter((when) => !applied.has(when)).length;
  return pending === 0 ? "ok" : `${pending} pending`;
}

/**
 * The services' checks under way, per connection pool: probes that arrive while one runs share it, so however often
 * /readyz is asked (a proxy's health check, an outsider), a hung Postgres gets at most one more query a second.
 */
const checksUnderWay = new WeakMap<object, Promise<Omit<Readiness["checks"], "process">>>();

/** Postgres and Redis reachable (each within ~1 s), migrations current, the process not shutting down. */
export async function readiness(runtime: Pick<Runtime, "db" | "redis">): Promise<Readiness> {
  let services = checksUnderWay.get(runtime.db);
  if (!services) {
    services = checkServices(runtime).finally(() => checksUnderWay.delete(runtime.db));
    checksUnderWay.set(runtime.db, services);
  }
  const checks = { ...(await services), process: lifecycle.draining ? "shutting down" : "ok" };
  return { ok: Object.values(checks).every((c) => c === "ok"), checks };
}

async function checkServices(runtime: Pick<Runtime, "db" | "redis">): Promise<Omit<Readiness["checks"], "process">> {
  const postgres = withTimeout(runtime.db.$client`SELECT 1`, readinessTimeoutMs).then(
    () => "ok",
    (err: unknown) => describe(err),
  );
  const redis = withTimeout(runtime.redis.ping(), readinessTimeoutMs).then(
    () => "ok",
    (err: unknown) => describe(err),
  );
  // Only worth asking once Postgres answers; a missing table means nothing was ever migrated.
  const migrations = postgres.then((pg) =>
    pg !== "ok"
      ? "unknown: postgres is unreachable"
      : withTimeout(migrationsCheck(runtime.db), readinessTimeoutMs).catch((err: unknown) => ((err as { code?: string }).code === "42P01" ? "never applied" : describe(err))),
  );
  return { postgres: await postgres, redis: await redis, migrations: await migrations };
}
