import { Writable } from "node:stream";
import { Bot } from "grammy";
import type { Update, UserFromGetMe } from "grammy/types";
import { describe, expect, it } from "vitest";
import { createLogger, withLogContext } from "../../core/logger.js";
import { createRedis, reportPostgresUnavailable } from "../../core/runtime.js";
import { closeDb, createDb } from "../../db/client.js";
import { testDatabaseUrl } from "../helpers/env.js";
import { observeUpdates } from "../../telegram/observe.js";
import { botInfo, tokens } from "../helpers/processes.js";

type Line = { msg: string; bot?: string; updateId?: number; signal?: string };

function capture() {
  const lines: Line[] = [];
  const stream = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk)) as Line), done()) });
  return { logger: createLogger("info", "test", stream), lines };
}

/** A bare grammY bot with only the observation middleware and `handler`, fed updates directly (no network). */
function observedBot(handler: () => Promise<void> | void) {
  const me = { ...botInfo.client, is_bot: true } as UserFromGetMe;
  const bot = new Bot(tokens.client, { botInfo: me, client: { apiRoot: "http://127.0.0.1:9" } });
  bot.use(observeUpdates("client"));
  bot.on("message", handler);
  return bot;
}

const message = (updateId: number): Update => ({
  update_id: updateId,
  message: { message_id: 1, date: 0, chat: { id: 7, type: "private", first_name: "Т" }, from: { id: 7, is_bot: false, first_name: "Т" }, text: "hi" },
});

describe("the log context: every line logged while an update is handled carries bot and updateId", () => {
  it("lines logged inside the context carry its fields, lines outside do not; a field the call gives wins", async () => {
    const { logger, lines } = capture();
    logger.info("before");
    await withLogContext({ bot: "partner", updateId: 42 }, async () => {
      logger.info("inside");
      await new Promise((r) => setTimeout(r, 5));
      logger.child({ component: "x" }).info("after an await, in a child logger");
      logger.info({ updateId: 43 }, "own field");
    });
    logger.info("after");
    expect(lines.map((l) => [l.msg, l.bot, l.updateId])).toEqual([
      ["before", undefined, undefined],
      ["inside", "partner", 42],
      ["after an await, in a child logger", "partner", 42],
      ["own field", "partner", 43],
      ["after", undefined, undefined],
    ]);
  });

  it("two updates handled at the same time keep their own context", async () => {
    const { logger, lines } = capture();
    const bot = observedBot(async () => {
      logger.info("started");
      await new Promise((r) => setTimeout(r, 20));
      logger.info("finished");
    });
    await Promise.all([bot.handleUpdate(message(101)), bot.handleUpdate(message(102))]);
    const byUpdate = (id: number) => lines.filter((l) => l.updateId === id).map((l) => `${l.bot}:${l.msg}`);
    expect(byUpdate(101)).toEqual(["client:started", "client:finished"]);
    expect(byUpdate(102)).toEqual(["client:started", "client:finished"]);
    expect(lines).toHaveLength(4);
  });

  it("core code that logs while an update is handled (here the Redis connection of core/runtime.ts) gets bot and updateId without being told", async () => {
    const { logger, lines } = capture();
    let redis: ReturnType<typeof createRedis> | undefined;
    const bot = observedBot(async () => {
      redis = createRedis("redis://127.0.0.1:1", logger);
      for (let i = 0; i < 100 && !lines.some((l) => /Redis is unavailable/.test(l.msg)); i++) await new Promise((r) => setTimeout(r, 20));
    });
    try {
      await bot.handleUpdate(message(7));
    } finally {
      redis?.disconnect();
    }
    expect(lines).toContainEqual(expect.objectContaining({ msg: "Redis is unavailable; reconnecting until it is back", bot: "client", updateId: 7 }));
  });

  it("a Postgres outage noticed while an update is handled names that update; its end, found later by a probe, names none", async () => {
    const { logger, lines } = capture();
    const db = createDb(testDatabaseUrl, { max: 1 });
    const bot = observedBot(() => reportPostgresUnavailable({ db, logger }, Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })));
    try {
      await bot.handleUpdate(message(8));
      for (let i = 0; i < 100 && !lines.some((l) => l.msg === "Postgres is back"); i++) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await closeDb(db);
    }
    expect(lines).toContainEqual(expect.objectContaining({ msg: "Postgres is unavailable; retrying until it is back", bot: "client", updateId: 8 }));
    const back = lines.find((l) => l.msg === "Postgres is back");
    expect(back).toBeDefined();
    expect(back?.updateId).toBeUndefined();
  });
});
