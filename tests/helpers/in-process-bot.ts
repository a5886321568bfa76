import { run, type RunnerHandle } from "@grammyjs/runner";
import type { ApiClientOptions } from "grammy";
import { pino } from "pino";
import { afterEach } from "vitest";
import { createAdminBot } from "../../bots/admin/bot.js";
import { createClientBot } from "../../bots/client/bot.js";
import { createPartnerBot } from "../../bots/partner/bot.js";
import type { BotDeps } from "../../bots/shared/deps.js";
import type { BotName } from "../../telegram/bot-name.js";
import { systemClock } from "../../core/clock.js";
import type { Db } from "../../db/client.js";
import { testAppSecret } from "./env.js";
import type { FakeBotApi } from "./fake-bot-api.js";
import { botInfo, tokens } from "./processes.js";
import type { Redis } from "ioredis";

const factories = { client: createClientBot, partner: createPartnerBot, admin: createAdminBot };

/**
 * The real bots run in this test process, long-polling the fake Bot API of `useFakeTelegram`: one at a time,
 * stopped after each test. `start` builds the bot with test deps (silent logs, a generous rate limit) plus `overrides`.
 */
export function useInProcessBot(db: Db, telegram: { readonly fake: FakeBotApi; readonly redis: Redis }) {
  let runner: RunnerHandle | undefined;
  afterEach(async () => {
    if (runner?.isRunning()) await runner.stop();
  });
  return {
    /** `client`: more Bot API client options (e.g. the observed fetch), as launch.ts gives them. */
    start(name: BotName, overrides: Partial<BotDeps> = {}, client: Omit<ApiClientOptions, "apiRoot"> = {}) {
      const deps: BotDeps = { db, redis: telegram.redis, logger: pino({ level: "silent" }), clock: systemClock, appSecret: testAppSecret, adminIds: [], rateLimit: { limit: 1_000, windowMs: 3_000 }, ...overrides };
      const info = { ...botInfo[name], is_bot: true, can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: false, can_connect_to_business: false, has_main_web_app: false, has_topics_enabled: false, allows_users_to_create_topics: false };
      const bot = factories[name](tokens[name], deps, { client: { apiRoot: telegram.fake.url, ...client }, botInfo: info as never });
      runner = run(bot, { runner: { fetch: { timeout: 1 } } });
      return bot;
    },
    isRunning: () => runner?.isRunning() ?? false,
  };
}
