import type { Redis } from "ioredis";
import type { Db } from "../../db/client.js";
import type { Client } from "../../core/clients/service.js";
import type { Clock } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import type { DashboardSession } from "../../core/web-auth/service.js";
import type { InitDataUser } from "./init-data.js";

/** What the web server runs on: the process's connections and the few settings it needs. */
export type WebDeps = {
  db: Db;
  redis: Redis;
  logger: Logger;
  clock: Clock;
  /** The client bot's token: the Mini App's initData is signed with it. */
  clientBotToken: string;
  adminIds: readonly number[];
  /** Where people reach the server (PUBLIC_URL), when set. */
  publicUrl?: string;
  initDataMaxAgeSeconds: number;
  /** The client bot's @username (for the referral link), without the @. */
  clientBotUsername(): Promise<string>;
  /** The built pages' dist folders; null serves no page (the API alone, as in the API tests). */
  pages: { miniApp: string | null; dashboard: string | null };
};

/** /api/app/*: the client the initData names (its own data is all a call may touch). */
export type MiniAppEnv = { Variables: { client: Client; telegramUser: InitDataUser } };

/** /api/dashboard/*: the signed-in person's live session (and the cookie's token, to sign this browser out). */
export type DashboardEnv = { Variables: { session: DashboardSession; sessionToken: string } };
