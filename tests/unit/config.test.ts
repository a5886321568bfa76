import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../core/config.js";
import { testDatabaseUrl } from "../helpers/env.js";

const good = {
  DATABASE_URL: "postgres://postgres@127.0.0.1:5432/app",
  REDIS_URL: "redis://127.0.0.1:6379",
  CLIENT_BOT_TOKEN: "123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  PARTNER_BOT_TOKEN: "123457:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  ADMIN_BOT_TOKEN: "123458:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  ADMIN_IDS: "111, 222",
  APP_SECRET: "0123456789abcdef0123456789abcdef",
};
const all = ["DATABASE_URL", "REDIS_URL", "CLIENT_BOT_TOKEN", "PARTNER_BOT_TOKEN", "ADMIN_BOT_TOKEN", "ADMIN_IDS", "APP_SECRET", "TELEGRAM_API_ROOT", "LOG_LEVEL"] as const;

describe("config", () => {
  it("parses a good environment with defaults", () => {
    const c = parseConfig(good, all);
    expect(c.ADMIN_IDS).toEqual([111, 222]);
    expect(c.TELEGRAM_API_ROOT).toBe("https://api.telegram.org");
    expect(c.LOG_LEVEL).toBe("info");
  });

  it.each([
    [{ ...good, DATABASE_URL: undefined }, "config: DATABASE_URL is missing"],
    [{ ...good, DATABASE_URL: "mysql://x" }, "config: DATABASE_URL is invalid: must be a postgres:// URL"],
    [{ ...good, ADMIN_IDS: "12,abc" }, "config: ADMIN_IDS is invalid: each id must be a Telegram user id (digits)"],
    [{ ...good, CLIENT_BOT_TOKEN: "nope" }, "config: CLIENT_BOT_TOKEN is invalid: must look like 123456:ABC… (from @BotFather)"],
    [{ ...good, LOG_LEVEL: "loud" }, "config: LOG_LEVEL is invalid"],
    [{ ...good, APP_SECRET: undefined }, "config: APP_SECRET is missing"],
    [{ ...good, APP_SECRET: "secret" }, "config: APP_SECRET is invalid: must be at least 32 characters (generate with: openssl rand -hex 32)"],
  ])("names the bad variable in one line", (env, message) => {
    let caught: unknown;
    try {
      parseConfig(env, all);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).message.startsWith(message)).toBe(true);
    expect((caught as Error).message).not.toContain("\n");
  });

  it("WEBHOOK_URL is https (http only for localhost) without its trailing slash; METRICS_PORT and the backup settings are checked", () => {
    const keys = ["WEBHOOK_URL", "METRICS_PORT", "BACKUP_DIR", "BACKUP_KEEP", "PUBLIC_URL"] as const;
    expect(parseConfig({ WEBHOOK_URL: "https://bots.example.com/telegram/", METRICS_PORT: "9102" }, keys)).toEqual({
      WEBHOOK_URL: "https://bots.example.com/telegram",
      METRICS_PORT: 9102,
      BACKUP_DIR: "backups",
      BACKUP_KEEP: 14,
    });
    expect(parseConfig({}, keys)).toEqual({ BACKUP_DIR: "backups", BACKUP_KEEP: 14 });
    expect(parseConfig({ WEBHOOK_URL: "http://127.0.0.1:8443/tg" }, keys).WEBHOOK_URL).toBe("http://127.0.0.1:8443/tg");
    for (const [env, message] of [
      [{ WEBHOOK_URL: "http://bots.example.com/telegram" }, "config: WEBHOOK_URL is invalid: must be an https:// URL (http only for localhost)"],
      [{ WEBHOOK_URL: "bots.example.com" }, "config: WEBHOOK_URL is invalid"],
      [{ METRICS_PORT: "70000" }, "config: METRICS_PORT is invalid"],
      [{ BACKUP_KEEP: "0" }, "config: BACKUP_KEEP is invalid"],
      [{ PUBLIC_URL: "card.example.com" }, "config: PUBLIC_URL is invalid"],
    ] as const) {
      expect(() => parseConfig(env, keys)).toThrow(message);
    }
  });

  it("asks only for what a process needs", () => {
    expect(parseConfig({ DATABASE_URL: good.DATABASE_URL }, ["DATABASE_URL"])).toEqual({ DATABASE_URL: good.DATABASE_URL });
  });

  it("a process started without its settings exits 1 with one line naming the variable", async () => {
    const run = promisify(execFile);
    const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" };
    const err = await run("npx", ["tsx", "migrate.ts"], { env }).then(() => null, (e: { code: number; stderr: string }) => e);
    expect(err?.code).toBe(1);
    expect(err?.stderr.trim().split("\n").filter((l) => !l.startsWith("npm warn"))).toEqual(["config: DATABASE_URL is missing"]);
  });

  it("every bot and `npm start` refuse to start without APP_SECRET, naming it in one line; `npm run db:migrate` does not need it", async () => {
    const run = promisify(execFile);
    const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...good, DATABASE_URL: testDatabaseUrl, APP_SECRET: "" };
    const entries = ["bots/client/main.ts", "bots/partner/main.ts", "bots/admin/main.ts", "main.ts"];
    const results = await Promise.all(
      entries.map((entry) => run(process.execPath, ["--import", "tsx", entry], { env, timeout: 60_000 }).then(() => null, (e: { code: number; stderr: string }) => e)),
    );
    results.forEach((err, i) => {
      expect(err?.code, entries[i]).toBe(1);
      expect(err?.stderr.trim().split("\n"), entries[i]).toEqual(["config: APP_SECRET is missing"]);
    });
    await expect(run(process.execPath, ["--import", "tsx", "migrate.ts"], { env: { PATH: env.PATH, HOME: env.HOME, DATABASE_URL: testDatabaseUrl }, timeout: 60_000 })).resolves.toBeDefined();
  }, 150_000);

  it("`npm start` with any one production setting is production: a missing other one is named, never replaced by the sandbox", async () => {
    const run = promisify(execFile);
    const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DATABASE_URL: testDatabaseUrl };
    const err = await run(process.execPath, ["--import", "tsx", "main.ts"], { env, timeout: 60_000 }).then(() => null, (e: { code: number; stdout: string; stderr: string }) => e);
    expect(err?.code).toBe(1);
    expect(err?.stderr.trim().split("\n")).toEqual(["config: REDIS_URL is missing"]);
    expect(err?.stdout).not.toMatch(/Sandbox/);
  }, 60_000);
});
