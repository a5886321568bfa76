import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { Redis } from "ioredis";
import postgres from "postgres";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../../core/logger.js";
import { lifecycle } from "../../core/ops/health.js";
import { startOpsServer } from "../../core/ops/http.js";
import { createRedis, type Runtime } from "../../core/runtime.js";
import { closeDb, createDb, type Db } from "../../db/client.js";
import { runMigrations } from "../../db/migrate.js";
import { adminDatabaseUrl, testDatabaseName, testDatabaseUrl, testRedisUrl } from "../helpers/env.js";

const logger = createLogger("silent");
const db = createDb(testDatabaseUrl, { max: 2 });
const redis = new Redis(testRedisUrl);
const closers: (() => Promise<unknown> | void)[] = [];

afterEach(() => {
  lifecycle.draining = false;
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await closeDb(db);
  redis.disconnect();
});

/** An ops server on a free port for `runtime`; GET `path` on it. */
async function opsServer(runtime: Pick<Runtime, "db" | "redis" | "logger">) {
  const server = await startOpsServer({ port: 0, host: "127.0.0.1", runtime, fallback: (_req, res) => res.writeHead(418).end("webhook") });
  closers.push(() => server.close());
  const get = async (path: string) => {
    const res = await fetch(`${server.url}${path}`);
    const text = await res.text();
    return { status: res.status, text, json: () => JSON.parse(text) as { status: string; checks: Record<string, string> } };
  };
  return { url: server.url, get };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A port that accepts connections and never answers: a hung database. */
async function silentPort(): Promise<number> {
  const server: Server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => {
    server.close();
    server.unref();
  });
  return (server.address() as AddressInfo).port;
}

describe("/healthz and /readyz", () => {
  it("all well: readyz 200 with every check ok, healthz 200; other paths go to the fallback (a bot's webhook)", async () => {
    const ops = await opsServer({ db, redis, logger });
    const ready = await ops.get("/readyz");
    expect(ready.status).toBe(200);
    expect(ready.json()).toEqual({ status: "ok", checks: { postgres: "ok", redis: "ok", migrations: "ok", process: "ok" } });
    expect(await ops.get("/healthz")).toMatchObject({ status: 200, text: "ok" });
    expect(await ops.get("/client")).toMatchObject({ status: 418, text: "webhook" });
  });

  it("Postgres unreachable (a closed port): 503 naming postgres; healthz still 200", async () => {
    const broken = createDb(`postgres://postgres@127.0.0.1:${await closedPort()}/x`, { max: 1 });
    closers.push(() => closeDb(broken));
    const ops = await opsServer({ db: broken, redis, logger });
    const ready = await ops.get("/readyz");
    expect(ready.status).toBe(503);
    const { status, checks } = ready.json();
    expect(status).toBe("unavailable");
    expect(checks.postgres).toMatch(/^unreachable: ECONNREFUSED/);
    expect(checks.redis).toBe("ok");
    expect(checks.migrations).toMatch(/^unknown/);
    expect(checks.process).toBe("ok");
    expect(await ops.get("/healthz")).toMatchObject({ status: 200, text: "ok" });
  });

  it("Postgres hung (accepts, never answers): 503 within about a second, not a hang", async () => {
    const hung = createDb(`postgres://postgres@127.0.0.1:${await silentPort()}/x`, { max: 1 });
    closers.push(() => hung.$client.end({ timeout: 0 }));
    const ops = await opsServer({ db: hung, redis, logger });
    const started = Date.now();
    const ready = await ops.get("/readyz");
    // ~1 s: the check's own deadline; the margin is for a loaded machine.
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(ready.status).toBe(503);
    expect(ready.json().checks.postgres).toBe("unreachable: no answer within 1000 ms");
    // /metrics does not hang either: the database gauges are left out and flagged.
    const metricsStarted = Date.now();
    const metrics = await ops.get("/metrics");
    expect(Date.now() - metricsStarted).toBeLessThan(4_000);
    expect(metrics.status).toBe(200);
  });

  it("Redis unreachable (a URL to a closed port): 503 naming redis; healthz still 200", async () => {
    const deadRedis = createRedis(`redis://127.0.0.1:${await closedPort()}`, logger);
    closers.push(() => deadRedis.disconnect());
    const ops = await opsServer({ db, redis: deadRedis, logger });
    const ready = await ops.get("/readyz");
    expect(ready.status).toBe(503);
    const { checks } = ready.json();
    expect(checks.redis).toMatch(/^unreachable: /);
    expect(checks).toMatchObject({ postgres: "ok", migrations: "ok", process: "ok" });
    expect(await ops.get("/healthz")).toMatchObject({ status: 200, text: "ok" });
  });

  it("migrations behind the code: 503 'N pending' (a scratch database migrated, then its last applied rows removed)", async () => {
    const name = `${testDatabaseName}_lagging`;
    const admin = postgres(adminDatabaseUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE "${name}"`);
    const url = new URL(testDatabaseUrl);
    url.pathname = `/${name}`;
    const scratch = createDb(url.toString(), { max: 1 });
    closers.push(async () => {
      await closeDb(scratch);
      await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    });
    await runMigrations(scratch);
    const ops = await opsServer({ db: scratch, redis, logger });
    expect((await ops.get("/readyz")).status).toBe(200);

    const dropNewest = () => scratch.execute(sql`DELETE FROM drizzle.__drizzle_migrations WHERE id = (SELECT max(id) FROM drizzle.__drizzle_migrations)`);
    await dropNewest();
    let ready = await ops.get("/readyz");
    expect(ready.status).toBe(503);
    expect(ready.json().checks).toEqual({ postgres: "ok", redis: "ok", migrations: "1 pending", process: "ok" });
    await dropNewest();
    ready = await ops.get("/readyz");
    expect(ready.json().checks.migrations).toBe("2 pending");

    await scratch.execute(sql`DROP SCHEMA drizzle CASCADE`);
    ready = await ops.get("/readyz");
    expect(ready.status).toBe(503);
    expect(ready.json().checks.migrations).toBe("never applied");
    expect(await ops.get("/healthz")).toMatchObject({ status: 200, text: "ok" });
  });

  it("shutting down (SIGTERM received): 503 'shutting down' so the load balancer stops sending work; healthz still 200", async () => {
    const ops = await opsServer({ db, redis, logger });
    lifecycle.draining = true;
    const ready = await ops.get("/readyz");
    expect(ready.status).toBe(503);
    expect(ready.json()).toEqual({ status: "unavailable", checks: { postgres: "ok", redis: "ok", migrations: "ok", process: "shutting down" } });
    expect(await ops.get("/healthz")).toMatchObject({ status: 200, text: "ok" });
  });
});

describe("/metrics with the database hung", () => {
  it("still answers at once: the database gauges are left out and cashback_scrape_postgres_up says 0", async () => {
    // A process of its own: a fresh metrics module (its own registry) watching only the hung database.
    vi.resetModules();
    const metrics = await import("../../core/ops/metrics.js");
    const hung = createDb(`postgres://postgres@127.0.0.1:${await silentPort()}/x`, { max: 1 });
    closers.push(() => hung.$client.end({ timeout: 0 }));
    metrics.watchRuntime({ db: hung, redis }, "hung");
    const started = Date.now();
    const { body } = await metrics.metricsText();
    expect(Date.now() - started).toBeLessThan(metrics.scrapeTimeoutMs + 2_000);
    expect(body).toMatch(/^cashback_scrape_postgres_up 0$/m);
    expect(body).toMatch(/^# TYPE cashback_jobs gauge$/m);
    expect(body).not.toMatch(/^cashback_jobs\{/m);
    expect(body).not.toMatch(/^cashback_pg_connections\{/m);
    expect(body).toMatch(/^cashback_process_resident_memory_bytes \d+$/m);
  });
});
