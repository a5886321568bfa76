import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, createDb } from "../../db/client.js";
import { systemClock } from "../../core/clock.js";
import { createLogger } from "../../core/logger.js";
import type { Runtime } from "../../core/runtime.js";
import { csvStream } from "../../web/server/csv.js";
import { clientBotUsernameSource, startWebServer, type WebConfig, type WebServer } from "../../web/server/main.js";
import { testDatabaseUrl, testRedisUrl } from "../helpers/env.js";
import { adminId } from "../helpers/fixtures.js";
import { clientBotToken } from "./api-helpers.js";

let dir: string;
let runtime: Runtime;
let server: WebServer;

const config: WebConfig = {
  DATABASE_URL: testDatabaseUrl,
  REDIS_URL: testRedisUrl,
  LOG_LEVEL: "silent",
  CLIENT_BOT_TOKEN: clientBotToken,
  ADMIN_IDS: [adminId],
  TELEGRAM_API_ROOT: "http://127.0.0.1:9",
  PORT: 0,
  PUBLIC_URL: undefined,
  INIT_DATA_MAX_AGE_SECONDS: 3600,
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "web-server-test-"));
  for (const page of ["mini-app", "dashboard"]) {
    await mkdir(join(dir, page, "assets"), { recursive: true });
    await writeFile(join(dir, page, "index.html"), `<!doctype html><title>${page}</title><script type="module" src="./assets/main-abc123.js"></script>`);
    await writeFile(join(dir, page, "assets", "main-abc123.js"), `console.log("${page}");`);
    await writeFile(join(dir, page, "assets", "style-def456.css"), "body{}");
    await writeFile(join(dir, page, ".built-at"), "1");
  }
  await writeFile(join(dir, "secret.txt"), "outside dist");
  const db = createDb(testDatabaseUrl, { max: 2 });
  const redis = new Redis(testRedisUrl);
  runtime = { db, redis, logger: createLogger("silent"), clock: systemClock, close: async () => { await closeDb(db); redis.disconnect(); } };
  server = await startWebServer(config, runtime, { host: "127.0.0.1", port: 0, pages: { miniApp: join(dir, "mini-app"), dashboard: join(dir, "dashboard") } });
});

afterAll(async () => {
  await server?.close();
  await runtime?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("startWebServer", () => {
  it("listens on a port and answers the ops routes as every process does: /healthz, /readyz, /metrics", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok");
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ok", checks: { postgres: "ok", redis: "ok", migrations: "ok", process: "ok" } });
    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await metrics.text()).toMatch(/^cashback_process_resident_memory_bytes \d+$/m);
    // Only GET (and HEAD): anything else is the app's (no such API: 404).
    expect((await fetch(`${server.url}/readyz`, { method: "POST" })).status).toBe(404);
  });

  it("serves the Mini App's index.html revalidated, framable by Telegram only, and its hashed assets cached for good", async () => {
    const index = await fetch(`${server.url}/app/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(index.headers.get("cache-control")).toBe("no-cache");
    expect(await index.text()).toContain("<title>mini-app</title>");
    const csp = index.headers.get("content-security-policy")!;
    expect(csp).toContain("frame-ancestors 'self' https://web.telegram.org https://*.telegram.org");
    expect(csp).toContain("script-src 'self'");
    expect(index.headers.get("x-content-type-options")).toBe("nosniff");
    expect(index.headers.get("referrer-policy")).toBe("no-referrer");

    const js = await fetch(`${server.url}/app/assets/main-abc123.js`);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const css = await fetch(`${server.url}/app/assets/style-def456.css`);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");

    // A revalidation with the ETag is a 304 without a body.
    const again = await fetch(`${server.url}/app/`, { headers: { "if-none-match": index.headers.get("etag")! } });
    expect(again.status).toBe(304);
    const head = await fetch(`${server.url}/app/`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await head.text()).toBe("");
    const redirect = await fetch(`${server.url}/app`, { redirect: "manual" });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get("location")).toBe("/app/");
  });

  it("the dashboard: its own routes get index.html (never framed); a missing asset, a dot file or a way out of dist is 404", async () => {
    const deep = await fetch(`${server.url}/dashboard/clients/12`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain("<title>dashboard</title>");
    expect(deep.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(deep.headers.get("x-frame-options")).toBe("DENY");
    expect(deep.headers.get("cache-control")).toBe("no-cache");
    for (const path of ["/dashboard/assets/main-000000.js", "/dashboard/.built-at", "/dashboard/..%2f..%2fsecret.txt", "/dashboard/%2e%2e/secret.txt", "/app/missing.js", "/app/..%2fsecret.txt"]) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain("outside dist");
    }
  });

  it("the API answers through the same listener, and the listener serves inside another server (as the sandbox mounts it)", async () => {
    const res = await fetch(`${server.url}/api/app/card`);
    expect(res.status).toBe(401);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const host = createServer(server.listener);
    await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = host.address() as AddressInfo;
      expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).text()).toBe("ok");
      expect((await fetch(`http://127.0.0.1:${port}/dashboard/`)).status).toBe(200);
    } finally {
      await new Promise<void>((resolve) => host.close(() => resolve()));
    }
  });

  it("a port in use is an error, not a hang", async () => {
    const port = Number(new URL(server.url).port);
    await expect(startWebServer(config, runtime, { host: "127.0.0.1", port })).rejects.toMatchObject({ code: "EADDRINUSE" });
  });
});

describe("the client bot's username for the referral link", () => {
  it("is the one the client bot published in Redis, else Telegram's getMe answer (kept once known)", async () => {
    const calls: string[] = [];
    const telegram = createServer((req, res) => {
      calls.push(req.url ?? "");
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ ok: true, result: { id: 700000001, is_bot: true, first_name: "Card", username: "from_get_me_bot" } }));
    });
    await new Promise<void>((resolve) => telegram.listen(0, "127.0.0.1", resolve));
    try {
      const root = `http://127.0.0.1:${(telegram.address() as AddressInfo).port}`;
      await runtime.redis.del("bot-username:client");
      const fromTelegram = clientBotUsernameSource({ CLIENT_BOT_TOKEN: clientBotToken, TELEGRAM_API_ROOT: root }, runtime);
      expect(await fromTelegram()).toBe("from_get_me_bot");
      expect(await fromTelegram()).toBe("from_get_me_bot");
      expect(calls).toEqual([`/bot${clientBotToken}/getMe`]);
      await runtime.redis.set("bot-username:client", "published_bot");
      const fromRedis = clientBotUsernameSource({ CLIENT_BOT_TOKEN: clientBotToken, TELEGRAM_API_ROOT: root }, runtime);
      expect(await fromRedis()).toBe("published_bot");
      expect(calls).toHaveLength(1);
    } finally {
      await runtime.redis.del("bot-username:client");
      await new Promise<void>((resolve) => telegram.close(() => resolve()));
    }
  });
});

describe("csvStream", () => {
  it("pulls rows only as the reader asks, in chunks, and ends the source when the download is cancelled", async () => {
    let produced = 0;
    let closed = false;
    async function* rows() {
      try {
        for (let i = 0; i < 1_000_000; i++) {
          produced++;
          yield `${i},${"x".repeat(90)}\r\n`;
        }
      } finally {
        closed = true;
      }
    }
    const reader = csvStream(rows(), createLogger("silent")).getReader();
    const first = await reader.read();
    expect(first.value!.byteLength).toBeGreaterThanOrEqual(64 * 1024);
    // One chunk read (and at most one more queued): nowhere near the million rows.
    expect(produced).toBeLessThan(3 * 700);
    await reader.cancel();
    expect(closed).toBe(true);
  });

  it("ends a download nobody reads any more (its cursor holds a connection), and says so once", async () => {
    let closed = false;
    let ends = 0;
    async function* rows() {
      try {
        for (let i = 0; ; i++) yield `${i},${"x".repeat(90)}\r\n`;
      } finally {
        closed = true;
      }
    }
    const reader = csvStream(rows(), createLogger("silent"), { stallMs: 100, onEnd: () => ends++ }).getReader();
    await reader.read();
    await new Promise((r) => setTimeout(r, 300));
    expect(closed).toBe(true);
    expect(ends).toBe(1);
    await expect(reader.read()).rejects.toThrow(/stopped being read/);
  });
});
