import { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { DrizzleQueryError, sql } from "drizzle-orm";
import postgres from "postgres";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeDb, createDb, type Db } from "../../db/client.js";
import { DomainError } from "../../core/errors.js";
import { createRedis, waitForServices } from "../../core/runtime.js";
import { unavailableService } from "../../core/unavailable.js";
import { testDatabaseName, testRedisUrl } from "../helpers/env.js";
import { useTestDb } from "../helpers/db.js";
import { freePort, RedisServer } from "../helpers/redis-server.js";
import { TcpProxy } from "../helpers/tcp-proxy.js";

/**
 * The database client and the outage classification against a real Postgres behind a TCP proxy that is cut and
 * restored (never the machine's Postgres itself): real errors from real failing connections.
 */

const direct = useTestDb({ max: 2 });
let proxy: TcpProxy;
const pools: Db[] = [];

beforeAll(async () => {
  proxy = await TcpProxy.start();
});
afterEach(async () => {
  proxy.restore();
  for (const db of pools.splice(0)) await closeDb(db);
});
afterAll(async () => {
  await proxy?.stop();
});

/** A pool to the test database through the proxy. */
const throughProxy = (max = 2) => {
  const db = createDb(proxy.postgresUrl(testDatabaseName), { max, processName: "outage-test" });
  pools.push(db);
  return db;
};

const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a failure");
    },
    (err: unknown) => err,
  );

/** A pino logger whose lines are kept. */
function capturedLogger() {
  const lines: { msg: string; level: number; [key: string]: unknown }[] = [];
  const logger = pino({ level: "info" }, new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) }));
  return { logger, lines };
}

describe("unavailableService, from real failures", () => {
  it("Postgres refused, reset under an idle connection, reset under a query in flight, or not answering: 'postgres', each within 2 s", async () => {
    const db = throughProxy();
    await db.execute(sql`select 1`);

    proxy.cut(); // kills the idle connection; new ones are reset as they arrive
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      expect(unavailableService(await failureOf(db.execute(sql`select 1`)))).toBe("postgres");
      expect(Date.now() - started).toBeLessThan(2_000);
    }
    // A transaction that cannot even begin.
    expect(unavailableService(await failureOf(db.transaction(async (tx) => tx.execute(sql`select 1`))))).toBe("postgres");

    proxy.restore();
    await db.execute(sql`select 1`);
    const inFlight = failureOf(db.execute(sql`select pg_sleep(5)`));
    await sleep(200);
    proxy.cut();
    expect(unavailableService(await inFlight)).toBe("postgres");

    // A host that stops answering (packets dropped): only the connect timeout ends the wait, well under 2 s.
    proxy.blackhole();
    const started = Date.now();
    const err = await failureOf(db.execute(sql`select 1`));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(unavailableService(err)).toBe("postgres");
  });

  it("the server ending our session (pg_terminate_backend, as a shutdown does) is 'postgres', and so are the server's 'not now' SQLSTATEs", async () => {
    const db = throughProxy(1);
    const [{ pid }] = (await db.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`)) as unknown as [{ pid: number }];
    const sleeping = failureOf(db.execute(sql`select pg_sleep(5)`));
    await sleep(200);
    await direct.execute(sql`select pg_terminate_backend(${pid})`);
    expect(unavailableService(await sleeping)).toBe("postgres");
    // postgres.js may hand the server's goodbye (FATAL 57P01, "terminating connection due to administrator command")
    // to the next query; that one is an outage too, and the one after it has a new session.
    const next = await db.execute(sql`select 1`).then(() => undefined, (err: unknown) => err);
    if (next !== undefined) expect(unavailableService(next)).toBe("postgres");
    await db.execute(sql`select 1`);

    // What postgres.js throws for the server's ErrorResponse, wrapped as drizzle wraps it.
    const serverSays = (code: string) => new DrizzleQueryError("select 1", [], new postgres.PostgresError({ code, message: "…", severity: "FATAL" } as never));
    for (const code of ["57P01", "57P02", "57P03", "08006", "08001"]) expect(unavailableService(serverSays(code))).toBe("postgres");
    for (const code of ["23505", "40001", "3D000", "28P01"]) expect(unavailableService(serverSays(code))).toBeUndefined();
  });

  it("anything else is not an outage: a failing statement, a missing database, a domain refusal, another client's refused connection", async () => {
    const divisionByZero = await failureOf(direct.execute(sql`select 1/0`));
    expect(unavailableService(divisionByZero)).toBeUndefined();
    const missing = createDb("postgres://postgres@127.0.0.1:5432/no_such_database_here", { max: 1 });
    try {
      expect(unavailableService(await failureOf(missing.execute(sql`select 1`)))).toBeUndefined();
    } finally {
      await closeDb(missing);
    }
    expect(unavailableService(new DomainError("VALIDATION", "bad"))).toBeUndefined();
    // A fetch to a closed port wraps ECONNREFUSED in `cause` too: not Postgres's.
    const closedPort = await freePort();
    expect(unavailableService(await failureOf(fetch(`http://127.0.0.1:${closedPort}/`)))).toBeUndefined();
    expect(unavailableService(new Error("boom"))).toBeUndefined();
  });

  it("Redis refusing a command while it is down (ioredis fail-fast, as createRedis configures it) is 'redis'", async () => {
    const server = await RedisServer.onFreePort(); // never started
    const { logger } = capturedLogger();
    const redis = createRedis(server.url, logger);
    try {
      const err = await failureOf(redis.get("anything"));
      expect(unavailableService(err)).toBe("redis");
    } finally {
      redis.disconnect();
    }
  });
});

describe("the database client under an outage", () => {
  it("a connection killed under us is replaced by the next query once Postgres is back", async () => {
    const db = throughProxy(2);
    await Promise.all([db.execute(sql`select pg_sleep(0.05)`), db.execute(sql`select pg_sleep(0.05)`)]);
    proxy.cut();
    await sleep(100);
    proxy.restore();
    // Both pooled connections were killed: every query after the restore succeeds at its first try.
    for (let i = 0; i < 5; i++) await Promise.all([db.execute(sql`select pg_sleep(0.02)`), db.execute(sql`select pg_sleep(0.02)`)]);
    const [{ name }] = (await db.execute<{ name: string }>(sql`select current_setting('application_name') as name`)) as unknown as [{ name: string }];
    expect(name).toBe(`cashback:outage-test:${process.pid}`);
  });

  it("a query sent in the moment between a connection's failure and its close is answered, never left waiting", async () => {
    const db = throughProxy(2);
    await db.execute(sql`select 1`);
    const inFlight = [failureOf(db.execute(sql`select pg_sleep(5)`)), failureOf(db.execute(sql`select pg_sleep(5)`))];
    await sleep(200);
    proxy.cut();
    await Promise.all(inFlight);
    proxy.restore();
    // Sent at once, while the failed connections' sockets are still closing (postgres.js would write it to one).
    const next = db.execute(sql`select 1`).then(
      () => "answered",
      () => "refused",
    );
    expect(await Promise.race([next, sleep(3_000).then(() => "still waiting")])).not.toBe("still waiting");
    for (let i = 0; i < 3; i++) await Promise.all([db.execute(sql`select 1`), db.execute(sql`select 1`)]);
  });

  it("a transaction cut mid-way writes nothing, is reported as a Postgres outage, does not crash the process, and the pool serves afterwards", async () => {
    const db = throughProxy(2);
    await db.execute(sql`create table if not exists outage_probe (id serial primary key, note text not null)`);
    await db.execute(sql`truncate outage_probe`);
    try {
      // One cut with a statement in flight, one while the transaction's own code is between two statements.
      const inFlight = failureOf(
        db.transaction(async (tx) => {
          await tx.execute(sql`insert into outage_probe (note) values ('in flight: first')`);
          await tx.execute(sql`select pg_sleep(5)`);
          await tx.execute(sql`insert into outage_probe (note) values ('in flight: second')`);
        }),
      );
      let secondStatementRan = false;
      const between = failureOf(
        db.transaction(async (tx) => {
          await tx.execute(sql`insert into outage_probe (note) values ('between: first')`);
          await sleep(600);
          await tx.execute(sql`insert into outage_probe (note) values ('between: second')`);
          secondStatementRan = true;
        }),
      );
      await sleep(300);
      proxy.cut();
      expect(unavailableService(await inFlight)).toBe("postgres");
      expect(unavailableService(await between)).toBe("postgres");
      await sleep(800); // the paused transaction's code goes on and tries its second statement
      expect(secondStatementRan).toBe(false);

      proxy.restore();
      for (let i = 0; i < 5; i++) await Promise.all([db.execute(sql`select 1`), db.execute(sql`select 1`)]);
      expect(await direct.execute(sql`select note from outage_probe`)).toHaveLength(0);
    } finally {
      await direct.execute(sql`drop table if exists outage_probe`);
    }
  });
});

describe("waitForServices", () => {
  it("started while Postgres is away: one 'unavailable' line without a stack trace, resolves once it is back, one 'back' line", async () => {
    const db = throughProxy(2);
    const redis = new Redis(testRedisUrl);
    const { logger, lines } = capturedLogger();
    try {
      proxy.cut();
      let done = false;
      const waiting = waitForServices({ db, redis, logger }).then(() => (done = true));
      await sleep(4_000); // several retries
      expect(done).toBe(false);
      proxy.restore();
      await waiting;
      expect(lines.filter((l) => /^Postgres is unavailable/.test(l.msg))).toHaveLength(1);
      expect(lines.filter((l) => /^Postgres is back/.test(l.msg))).toHaveLength(1);
      expect(JSON.stringify(lines)).not.toMatch(/"stack"|\n\s+at /);
      // Started while Postgres is up: no line at all.
      await waitForServices({ db, redis, logger });
      expect(lines).toHaveLength(2);
    } finally {
      redis.disconnect();
    }
  });
});
