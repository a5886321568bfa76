import type { Api } from "grammy";
import type { Redis } from "ioredis";
import type { Db } from "../../db/client.js";
import type { Clock } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import type { BotName } from "../../telegram/bot-name.js";

/** Everything a bot's handlers use, passed in (never imported as a singleton) so tests can build a bot. */
export type BotDeps = {
  db: Db;
  redis: Redis;
  logger: Logger;
  clock: Clock;
  /** APP_SECRET from the config: keys the hash kept of a deleted client's Telegram id (registering and deleting clients). */
  appSecret: string;
  /** TEST-ONLY (FAULT_CRASH_BEFORE_CONVERSATION_SAVE): die before the first conversation state is saved, see faults.ts. */
  faultCrashBeforeConversationSave?: boolean;
  /**
   * PUBLIC_URL from the config: where the web server (Mini App at /app/, dashboard at /dashboard/) is reached from
   * outside. Unset: no "My card" button, and /dashboard says the dashboard has no address yet.
   */
  publicUrl?: string;
  /** ADMIN_IDS from the config. */
  adminIds: readonly number[];
  /** Rate limit per user: at most `limit` updates per `windowMs`. */
  rateLimit?: { limit: number; windowMs: number };
  /** The network's other bots this process has tokens for, to ask Telegram their usernames (see `bot-username.ts`). */
  peerApis?: Partial<Record<BotName, Api>>;
};

/** Where each bot publishes its username at start, for links the other bots give out (e.g. a partner's client link). */
export const botUsernameKey = (bot: BotName) => `bot-username:${bot}`;
