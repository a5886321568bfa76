import { Api } from "grammy";
import type { Redis } from "ioredis";
import { pino } from "pino";
import { createI18n } from "../../bots/shared/i18n.js";
import { fixedClock } from "../../core/clock.js";
import type { Db } from "../../db/client.js";
import type { OutboxDeps } from "../../worker/outbox.js";
import { PacedSender } from "../../worker/sender.js";
import type { FakeBotApi } from "./fake-bot-api.js";
import { tokens } from "./processes.js";

/** What the worker's job runner needs, pointed at the fake Bot API, with the clock stopped at `at`. */
export function outboxDepsFor(fake: FakeBotApi, db: Db, redis: Redis, at: Date, adminIds: number[] = [4_242]): OutboxDeps {
  const api = (bot: keyof typeof tokens) => new Api(tokens[bot], { apiRoot: fake.url });
  return {
    db,
    redis,
    logger: pino({ level: "silent" }),
    clock: fixedClock(at),
    adminIds,
    apis: { client: api("client"), partner: api("partner"), admin: api("admin") },
    senders: { client: new PacedSender(api("client")), partner: new PacedSender(api("partner")), admin: new PacedSender(api("admin")) },
    i18n: { client: createI18n("client"), partner: createI18n("partner"), admin: createI18n("admin") },
  };
}
