import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { limit } from "@grammyjs/ratelimiter";
import { RedisAdapter } from "@grammyjs/storage-redis";
import type { Context } from "grammy";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { takeLookup } from "../../bots/partner/client-lookup.js";
import { clientIdForCode, issueClientCode } from "../../core/clients/codes.js";
import { forgetClientInRedis } from "../../bots/shared/erasure.js";
import { createRedis, waitForRedis } from "../../core/runtime.js";
import { globToRegExp, startStateServer, type StateServer } from "../../sandbox/state-server.js";

const silent = pino({ level: "silent" });
const connectRaw = (port: number) => createConnection({ host: "127.0.0.1", port });
const collect = (socket: Socket) => {
  let text = "";
  socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
  return () => text;
};
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await sleep(10);
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Everything a test opens, closed after it: clients first (so they do not reconnect), then servers, then temp dirs.
const clients: Redis[] = [];
const servers: StateServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "state-server-"));
  dirs.push(dir);
  return dir;
}

async function start(dir = tempDir()): Promise<StateServer & { dir: string }> {
  const server = await startStateServer({ dir, logger: silent });
  servers.push(server);
  return { ...server, dir };
}

/** A client with the product's own connection settings (fail fast, no offline queue), ready to use. */
async function connect(url: string): Promise<Redis> {
  const redis = createRedis(url, silent);
  clients.push(redis);
  await waitForRedis(redis);
  return redis;
}

/** Stops a server and its clients, as a sandbox shutdown does, keeping the directory. */
async function stop(server: StateServer): Promise<void> {
  for (const c of clients.splice(0)) c.disconnect();
  servers.splice(servers.indexOf(server), 1);
  await server.close();
}

describe("state server: the handshake and the connection", () => {
  it("serves the product's createRedis client (RESP3 refused, RESP2 used), answers INFO and keeps one keyspace per SELECTed db", async () => {
    const server = await start();
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    const redis = await connect(server.url);
    expect(redis.status).toBe("ready");
    expect(await redis.ping()).toBe("PONG");
    expect(await redis.info()).toContain("loading:0");

    const named = new Redis(`${server.url}/3`, { connectionName: "worker", lazyConnect: true });
    clients.push(named);
    await named.connect();
    await named.set("k", "in db 3");
    await redis.set("k", "in db 0");
    expect(await named.get("k")).toBe("in db 3");
    expect(await redis.get("k")).toBe("in db 0");
    expect(await named.dbsize()).toBe(1);
    await named.flushdb();
    expect(await named.dbsize()).toBe(0);
    expect(await redis.get("k")).toBe("in db 0");
    await expect(redis.select(16)).rejects.toThrow(/out of range/);
  });

  it("answers an unknown command, a wrong argument count and a wrong type with an error, and the connection keeps working", async () => {
    const redis = await connect((await start()).url);
    await expect(redis.call("NOSUCH", "x")).rejects.toThrow("ERR unknown command 'NOSUCH'");
    await expect(redis.call("GET")).rejects.toThrow("ERR wrong number of arguments for 'get' command");
    await expect(redis.call("SET", "k", "v", "EX", "soon")).rejects.toThrow(/not an integer/);
    await expect(redis.call("SET", "k", "v", "NX", "XX")).rejects.toThrow(/syntax error/);
    await redis.sadd("a-set", "1");
    await expect(redis.get("a-set")).rejects.toThrow(/^WRONGTYPE/);
    await redis.set("a-string", "x");
    await expect(redis.sadd("a-string", "1")).rejects.toThrow(/^WRONGTYPE/);
    await expect(redis.incr("a-string")).rejects.toThrow(/not an integer/);
    expect(await redis.ping()).toBe("PONG");
    expect(await redis.get("a-string")).toBe("x");
  });

  it("reads commands split across packets and several in one packet; answers garbage with an error and closes only that connection", async () => {
    const server = await start();
    const socket = connectRaw(server.port);
    const replies = collect(socket);
    const bytes = Buffer.from("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$6\r\nvälue\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
    for (const byte of bytes) {
      socket.write(Buffer.of(byte));
      await sleep(1);
    }
    socket.write("*1\r\n$4\r\nPING\r\n*2\r\n$6\r\nEXISTS\r\n$1\r\nk\r\n");
    await until(() => replies().includes(":1"));
    expect(replies()).toBe("+OK\r\n$6\r\nvälue\r\n+PONG\r\n:1\r\n");

    const garbage = connectRaw(server.port);
    const garbageReplies = collect(garbage);
    garbage.write("hello there\r\n");
    await new Promise((resolve) => garbage.once("close", resolve));
    expect(garbageReplies()).toMatch(/^-ERR Protocol error/);
    expect(await (await connect(server.url)).get("k")).toBe("välue");
    socket.destroy();
  });

  it("refuses a port already in use with an error (no crash), and the server holding it keeps serving", async () => {
    const first = await start();
    await expect(startStateServer({ dir: tempDir(), port: first.port })).rejects.toThrow(/EADDRINUSE/);
    expect(await (await connect(first.url)).ping()).toBe("PONG");
  });

  it("closes the connection on QUIT", async () => {
    const redis = new Redis((await start()).url, { lazyConnect: true, retryStrategy: () => null });
    clients.push(redis);
    await redis.connect();
    expect(await redis.quit()).toBe("OK");
    await sleep(20);
    expect(redis.status).toBe("end");
  });
});

describe("state server: strings, sets and expiry", () => {
  it("SET with EX/PX/NX/XX/GET/KEEPTTL, GET, GETDEL, DEL, EXISTS, INCR", async () => {
    const redis = await connect((await start()).url);
    expect(await redis.set("k", "v1")).toBe("OK");
    expect(await redis.set("k", "v2", "NX")).toBeNull();
    expect(await redis.get("k")).toBe("v1");
    expect(await redis.set("missing", "v", "XX")).toBeNull();
    expect(await redis.exists("missing")).toBe(0);
    expect(await redis.set("k", "v2", "XX")).toBe("OK");
    expect(await redis.set("k", "v3", "GET")).toBe("v2");
    expect(await redis.set("k", "ünïcode ✓ 漢字", "EX", 100)).toBe("OK");
    expect(await redis.get("k")).toBe("ünïcode ✓ 漢字");
    expect(await redis.ttl("k")).toBe(100);
    expect(await redis.set("k", "kept", "KEEPTTL")).toBe("OK");
    expect(await redis.ttl("k")).toBe(100);
    await expect(redis.set("k", "v", "EX", 0)).rejects.toThrow(/invalid expire time/);

    expect(await redis.getdel("k")).toBe("kept");
    expect(await redis.getdel("k")).toBeNull();
    expect(await redis.exists("k")).toBe(0);

    await redis.set("a", "1");
    await redis.set("b", "2");
    await redis.sadd("c", "x");
    expect(await redis.exists("a", "b", "c", "nope")).toBe(3);
    expect(await redis.del("a", "b", "c", "nope")).toBe(3);
    expect(await redis.exists("a", "b", "c")).toBe(0);

    expect(await redis.incr("n")).toBe(1);
    expect(await redis.incr("n")).toBe(2);
    expect(await redis.get("n")).toBe("2");
    expect(await redis.type("n")).toBe("string");
  });

  it("TTL and PTTL: -2 for no key, -1 for no expiry; EXPIRE/PEXPIRE set them; a key past its PX is gone", async () => {
    const redis = await connect((await start()).url);
    expect(await redis.ttl("none")).toBe(-2);
    expect(await redis.pttl("none")).toBe(-2);
    expect(await redis.expire("none", 10)).toBe(0);
    await redis.set("k", "v");
    expect(await redis.ttl("k")).toBe(-1);
    expect(await redis.expire("k", 30)).toBe(1);
    expect(await redis.ttl("k")).toBe(30);
    expect(await redis.pexpire("k", 5_000)).toBe(1);
    const pttl = await redis.pttl("k");
    expect(pttl).toBeGreaterThan(4_900);
    expect(pttl).toBeLessThanOrEqual(5_000);
    expect(await redis.expire("k", 0)).toBe(1); // an expiry in the past deletes, as in Redis
    expect(await redis.exists("k")).toBe(0);

    await redis.set("short", "v", "PX", 40);
    await redis.sadd("short-set", "m");
    await redis.pexpire("short-set", 40);
    expect(await redis.get("short")).toBe("v");
    await sleep(80);
    expect(await redis.get("short")).toBeNull();
    expect(await redis.exists("short-set")).toBe(0);
    expect(await redis.set("short", "again", "NX")).toBe("OK"); // an expired key does not block NX
    expect(await redis.dbsize()).toBe(1);
  });

  it("SADD, SREM, SISMEMBER, SMEMBERS; the last member removed removes the key", async () => {
    const redis = await connect((await start()).url);
    expect(await redis.sadd("s", "1", "2", "2")).toBe(2);
    expect(await redis.sadd("s", "2", "3")).toBe(1);
    expect(await redis.sismember("s", "3")).toBe(1);
    expect(await redis.sismember("s", "4")).toBe(0);
    expect((await redis.smembers("s")).sort()).toEqual(["1", "2", "3"]);
    expect(await redis.type("s")).toBe("set");
    expect(await redis.srem("s", "1", "9")).toBe(1);
    expect(await redis.srem("s", "2", "3")).toBe(2);
    expect(await redis.exists("s")).toBe(0);
    expect(await redis.smembers("s")).toEqual([]);
    expect(await redis.srem("s", "1")).toBe(0);
  });
});

describe("state server: transactions", () => {
  it("MULTI/EXEC replies as ioredis expects, and takeLookup counts a fixed window with it", async () => {
    const redis = await connect((await start()).url);
    const replies = await redis.multi().set("w", "0", "EX", 600, "NX").incr("w").ttl("w").exec();
    expect(replies).toEqual([[null, "OK"], [null, 1], [null, 600]]);
    expect(await redis.multi().set("w", "0", "EX", 600, "NX").incr("w").ttl("w").exec()).toEqual([[null, null], [null, 2], [null, 600]]);

    const window = { max: 2, windowSeconds: 120 };
    expect(await takeLookup(redis, 555, window)).toBeNull();
    expect(await takeLookup(redis, 555, window)).toBeNull();
    expect(await takeLookup(redis, 555, window)).toBe(2); // minutes left in the window
    expect(await takeLookup(redis, 556, window)).toBeNull(); // another staff member has a window of their own
    expect(await redis.ttl("lookups:staff:555")).toBe(120);

    // The worker's "sent" set: SADD and EXPIRE in one transaction.
    expect(await redis.multi().sadd("job-sent:1", "42").expire("job-sent:1", 3600).exec()).toEqual([[null, 1], [null, 1]]);
    expect(await redis.ttl("job-sent:1")).toBe(3600);
  });

  it("a runtime error inside EXEC is that command's reply; a bad command while queuing aborts the transaction; DISCARD drops it", async () => {
    const redis = await connect((await start()).url);
    await redis.sadd("a-set", "x");
    const replies = await redis.multi().set("k", "1").get("a-set").incr("k").exec();
    expect(replies?.[0]).toEqual([null, "OK"]);
    expect(String(replies?.[1]?.[0])).toMatch(/WRONGTYPE/);
    expect(replies?.[2]).toEqual([null, 2]);

    const aborted = redis.multi().set("k", "changed").call("NOSUCH").exec();
    await expect(aborted).rejects.toThrow(/EXECABORT/);
    expect(await redis.get("k")).toBe("2");

    expect(await redis.call("MULTI")).toBe("OK");
    expect(await redis.call("SET", "k", "discarded")).toBe("QUEUED");
    expect(await redis.call("DISCARD")).toBe("OK");
    expect(await redis.get("k")).toBe("2");
    await expect(redis.call("EXEC")).rejects.toThrow("ERR EXEC without MULTI");
  });
});

describe("state server: SCAN and globs", () => {
  it("scanStream with MATCH returns every matching key exactly once, even with keys deleted and added meanwhile", async () => {
    const redis = await connect((await start()).url);
    for (let i = 0; i < 120; i++) await redis.set(`client-code:${100_000 + i}`, String(i));
    for (let i = 0; i < 50; i++) await redis.set(`conv:client:${i}`, "{}");
    await redis.sadd("job-sent:9", "1");

    const seen: string[] = [];
    let batches = 0;
    for await (const keys of redis.scanStream({ match: "client-code:*", count: 25 }) as AsyncIterable<string[]>) {
      batches++;
      seen.push(...keys);
      // Deleting keys already returned, and adding new ones, must not make the scan skip any key present throughout.
      if (batches === 2) {
        for (const k of keys) await redis.del(k);
        await redis.set("client-code:new", "x");
      }
    }
    expect(batches).toBeGreaterThan(4);
    const original = Array.from({ length: 120 }, (_, i) => `client-code:${100_000 + i}`);
    expect(original.every((k) => seen.includes(k))).toBe(true);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.every((k) => k.startsWith("client-code:"))).toBe(true);
  });

  it("glob patterns: * ? [abc] [^a] [a-c] and escapes, as Redis matches them", () => {
    expect(globToRegExp("conv:*").test("conv:client:1")).toBe(true);
    expect(globToRegExp("conv:*").test("xconv:1")).toBe(false);
    expect(globToRegExp("h?llo").test("hello")).toBe(true);
    expect(globToRegExp("h?llo").test("heello")).toBe(false);
    expect(globToRegExp("h[ae]llo").test("hallo")).toBe(true);
    expect(globToRegExp("h[ae]llo").test("hillo")).toBe(false);
    expect(globToRegExp("h[^e]llo").test("hallo")).toBe(true);
    expect(globToRegExp("h[^e]llo").test("hello")).toBe(false);
    expect(globToRegExp("h[a-c]llo").test("hbllo")).toBe(true);
    expect(globToRegExp("a\\*b").test("a*b")).toBe(true);
    expect(globToRegExp("a\\*b").test("axb")).toBe(false);
    expect(globToRegExp("a.b(c)").test("a.b(c)")).toBe(true);
    expect(globToRegExp("a.b").test("axb")).toBe(false);
  });
});

describe("state server: the product's Redis users", () => {
  it("storage-redis's RedisAdapter reads, writes with its TTL and deletes conversation state", async () => {
    const redis = await connect((await start()).url);
    const adapter = new RedisAdapter<{ step: number; phone: string }>({ instance: redis, ttl: 3600 });
    expect(await adapter.read("conv:partner:1")).toBeUndefined();
    await adapter.write("conv:partner:1", { step: 2, phone: "+79990000001" });
    expect(await adapter.read("conv:partner:1")).toEqual({ step: 2, phone: "+79990000001" });
    expect(await redis.ttl("conv:partner:1")).toBe(3600);
    await adapter.delete("conv:partner:1");
    expect(await adapter.read("conv:partner:1")).toBeUndefined();
  });

  it("ratelimiter's limit() counts per user in the window and lets the window pass", async () => {
    const redis = await connect((await start()).url);
    let passed = 0;
    let exceeded = 0;
    const middleware = limit<Context, Redis>({
      timeFrame: 150,
      limit: 2,
      storageClient: redis,
      keyPrefix: "ratelimit:client:",
      keyGenerator: (ctx) => String(ctx.from?.id),
      onLimitExceeded: () => void exceeded++,
    });
    // The middleware reads nothing but `from` (through keyGenerator).
    const update = () => middleware({ from: { id: 7 } } as unknown as Context, async () => void passed++);
    for (let i = 0; i < 4; i++) await update();
    expect([passed, exceeded]).toEqual([2, 1]); // one "slow down", then silence
    const pttl = await redis.pttl("ratelimit:client:7");
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(150);
    await sleep(200);
    await update();
    expect(passed).toBe(3);
  });

  it("one-time codes (SET EX NX) and the erasure of a client's traces (DEL, SCAN, SREM, GET)", async () => {
    const redis = await connect((await start()).url);
    const code = await issueClientCode(redis, 77);
    expect(await clientIdForCode(redis, code)).toBe(77);
    const other = await issueClientCode(redis, 78);
    await redis.set("conv:client:5001", JSON.stringify({ step: 1 }));
    await redis.set("conv:partner:9", JSON.stringify({ lookedUp: "+79991234567" }));
    await redis.set("ratelimit:partner:5001", "3");
    await redis.sadd("job-sent:3", "5001", "6000");

    await forgetClientInRedis(redis, { clientId: 77, telegramId: 5001, phone: "+79991234567" });
    expect(await clientIdForCode(redis, code)).toBeNull();
    expect(await clientIdForCode(redis, other)).toBe(78);
    expect(await redis.exists("conv:client:5001", "conv:partner:9", "ratelimit:partner:5001")).toBe(0);
    expect(await redis.smembers("job-sent:3")).toEqual(["6000"]);
  });
});

describe("state server: durability", () => {
  it("keeps strings, sets, TTLs, db numbers and deletions across close and start on the same directory", async () => {
    const first = await start();
    const redis = await connect(first.url);
    await redis.set("plain", "v");
    await redis.set("with-ttl", "v", "EX", 1_000);
    await redis.set("deleted", "v");
    await redis.del("deleted");
    await redis.set("counter", "1");
    await redis.incr("counter");
    await redis.multi().sadd("job-sent:1", "1", "2", "3").expire("job-sent:1", 500).exec();
    await redis.srem("job-sent:1", "2");
    await redis.select(2);
    await redis.set("in-db-2", "v");
    await redis.set("flushed", "v");
    await redis.select(5);
    await redis.set("db-5-flushed", "v");
    await redis.flushdb();
    await stop(first);

    const again = await start(first.dir);
    const after = await connect(again.url);
    expect(await after.get("plain")).toBe("v");
    expect(await after.ttl("plain")).toBe(-1);
    expect(await after.ttl("with-ttl")).toBeGreaterThanOrEqual(999);
    expect(await after.ttl("with-ttl")).toBeLessThanOrEqual(1_000);
    expect(await after.exists("deleted")).toBe(0);
    expect(await after.get("counter")).toBe("2");
    expect((await after.smembers("job-sent:1")).sort()).toEqual(["1", "3"]);
    expect(await after.ttl("job-sent:1")).toBeGreaterThanOrEqual(499);
    await after.select(2);
    expect(await after.dbsize()).toBe(2);
    expect(await after.get("in-db-2")).toBe("v");
    await after.select(5);
    expect(await after.dbsize()).toBe(0);
  });

  it("does not bring back a key that expired while it was stopped, and compacts it out of the file", async () => {
    const first = await start();
    const redis = await connect(first.url);
    await redis.set("short", "v", "PX", 60);
    await redis.sadd("short-set", "m");
    await redis.pexpire("short-set", 60);
    await redis.set("long", "v", "EX", 60);
    await stop(first);
    await sleep(100);

    const again = await start(first.dir);
    const after = await connect(again.url);
    expect(await after.exists("short", "short-set")).toBe(0);
    expect(await after.get("long")).toBe("v");
    const file = readFileSync(join(first.dir, "state.aof"), "utf8");
    expect(file).not.toContain("short");
    expect(file).toContain("long");
  });

  it("ignores a torn last line (a kill in the middle of a write) and writes on after it", async () => {
    const dir = tempDir();
    const expiresLater = Date.now() + 60_000;
    writeFileSync(
      join(dir, "state.aof"),
      [
        JSON.stringify({ op: "set", db: 0, k: "a", v: "1", exp: null }),
        JSON.stringify({ op: "batch", ops: [{ op: "sadd", db: 0, k: "s", m: ["x", "y"] }, { op: "expire", db: 0, k: "s", exp: expiresLater }] }),
        JSON.stringify({ op: "set", db: 0, k: "b", v: "2", exp: null }).slice(0, 20),
      ].join("\n"),
    );
    const first = await start(dir);
    const redis = await connect(first.url);
    expect(await redis.get("a")).toBe("1");
    expect(await redis.exists("b")).toBe(0);
    expect((await redis.smembers("s")).sort()).toEqual(["x", "y"]);
    expect(await redis.pttl("s")).toBeGreaterThan(59_000);
    await redis.set("c", "3");
    await stop(first);

    const again = await start(dir);
    const after = await connect(again.url);
    expect([await after.get("a"), await after.get("b"), await after.get("c")]).toEqual(["1", null, "3"]);
  });

  it("loses nothing it acknowledged when its process is killed with SIGKILL", async () => {
    const dir = tempDir();
    // node itself with tsx's loader (not `npx tsx`, whose wrapper processes would be killed while the server lives on).
    const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "fixtures/state-server-child.ts"), dir], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes("\n")) resolve(out.trim());
        });
        child.once("exit", (code) => reject(new Error(`the child exited (${code}) before listening`)));
      });
      const redis = await connect(url);
      await redis.set("conv:partner:1", JSON.stringify({ step: 3 }), "EX", 3600);
      await redis.multi().sadd("job-sent:1", "10", "11").expire("job-sent:1", 3600).exec();
      for (let i = 0; i < 200; i++) await redis.incr("accruals");
      // Killed right after the last reply arrived: no chance to flush anything on the way out.
      expect(await redis.set("last", "acknowledged")).toBe("OK");
      child.kill("SIGKILL");
      const [, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once("exit", (...args) => resolve(args)));
      expect(signal).toBe("SIGKILL");
      clients.splice(clients.indexOf(redis), 1)[0]!.disconnect();
    } finally {
      child.kill("SIGKILL");
    }

    const again = await start(dir);
    const after = await connect(again.url);
    expect(await after.get("conv:partner:1")).toBe(JSON.stringify({ step: 3 }));
    expect(await after.ttl("conv:partner:1")).toBeGreaterThan(3500);
    expect((await after.smembers("job-sent:1")).sort()).toEqual(["10", "11"]);
    expect(await after.get("accruals")).toBe("200");
    expect(await after.get("last")).toBe("acknowledged");
  }, 30_000);

  it("compacts the file when it has grown far past the live data", async () => {
    const server = await start();
    const redis = await connect(server.url);
    const value = "x".repeat(10_000);
    for (let i = 0; i < 400; i++) await redis.set("overwritten", `${i}:${value}`); // ~4 MB appended, ~10 kB live
    expect(statSync(join(server.dir, "state.aof")).size).toBeLessThan(1_500_000);
    expect(await redis.get("overwritten")).toBe(`399:${value}`);
    await stop(server);
    const again = await start(server.dir);
    expect(await (await connect(again.url)).get("overwritten")).toBe(`399:${value}`);
  });

  it("writes each acknowledged change to the file before replying", async () => {
    const server = await start();
    const redis = await connect(server.url);
    await redis.set("seen-on-disk", "yes");
    expect(readFileSync(join(server.dir, "state.aof"), "utf8")).toContain('"k":"seen-on-disk"');
  });
});
