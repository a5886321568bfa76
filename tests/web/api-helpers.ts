import { sign } from "@telegram-apps/init-data-node";
import type { Hono } from "hono";
import { Redis } from "ioredis";
import { afterAll, beforeEach } from "vitest";
import type { Clock } from "../../core/clock.js";
import { createLogger } from "../../core/logger.js";
import { createLoginLink, type DashboardIdentity } from "../../core/web-auth/service.js";
import { createWebApp, type WebDeps } from "../../web/server/app.js";
import { useTestDb } from "../helpers/db.js";
import { testRedisUrl } from "../helpers/env.js";
import { adminId } from "../helpers/fixtures.js";

export const clientBotToken = "700000001:AAClientBotTokenForTheWebApiTests_0123";
export const otherBotToken = "700000002:AAPartnerBotTokenForTheWebApiTests_456";
export const clientBotUsername = "cashback_test_bot";

/** A clock the test moves. */
export function movableClock(start = new Date()): Clock & { set(at: Date): void; advanceSeconds(s: number): void } {
  let now = new Date(start);
  return {
    now: () => new Date(now),
    set: (at) => (now = new Date(at)),
    advanceSeconds: (s) => (now = new Date(now.getTime() + s * 1000)),
  };
}

/**
 * The web app on the test Postgres and Redis (both emptied before each test), API only, with a clock the test
 * moves. `app.request()` drives it in-process.
 */
export function useWebApp(overrides: Partial<WebDeps> = {}) {
  const db = useTestDb();
  const redis = new Redis(testRedisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 });
  const clock = movableClock();
  const deps: WebDeps = {
    db,
    redis,
    logger: createLogger("silent"),
    clock,
    clientBotToken,
    adminIds: [adminId],
    initDataMaxAgeSeconds: 3600,
    clientBotUsername: async () => clientBotUsername,
    pages: { miniApp: null, dashboard: null },
    ...overrides,
  };
  const app: Hono = createWebApp(deps);
  beforeEach(async () => {
    clock.set(new Date());
    await redis.flushdb();
  });
  afterAll(() => {
    redis.disconnect();
  });
  return { db, redis, clock, deps, app };
}

/** initData as Telegram would hand it to the Mini App of the bot with `token`, signed at `authDate`. */
export function initDataFor(user: { id: number; firstName?: string }, options: { token?: string; authDate?: Date } = {}): string {
  return sign(
    { user: { id: user.id, first_name: user.firstName ?? "Иван", language_code: "ru" }, query_id: "AAF-test" } as Parameters<typeof sign>[0],
    options.token ?? clientBotToken,
    options.authDate ?? new Date(),
  );
}

export type Credentials = { cookie?: string; csrf?: string; initData?: string };

/** One request to the app, with the dashboard's cookie and CSRF token or the Mini App's initData when given. */
export async function call(
  app: Hono,
  method: string,
  path: string,
  options: Credentials & { body?: unknown; headers?: Record<string, string>; base?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookie) headers.cookie = options.cookie;
  if (options.csrf) headers["x-csrf-token"] = options.csrf;
  if (options.initData) headers.authorization = `tma ${options.initData}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  return app.request(`${options.base ?? "http://localhost"}${path}`, {
    method,
    headers,
    ...(options.body !== undefined && { body: typeof options.body === "string" ? options.body : JSON.stringify(options.body) }),
  });
}

/** The `cb_session=…` pair of a response's Set-Cookie, to send back. */
export function sessionCookieOf(res: Response): string {
  const setCookie = res.headers.get("set-cookie") ?? "";
  const match = /(?:^|,\s*)(cb_session=[^;]*)/.exec(setCookie);
  if (!match) throw new Error(`no session cookie in ${JSON.stringify(setCookie)}`);
  return match[1]!;
}

/** Signs `identity` in through a one-time link, as the dashboard page does: the session cookie and CSRF token. */
export async function signIn(ctx: { app: Hono; db: WebDeps["db"]; clock: Clock; deps: WebDeps }, identity: DashboardIdentity): Promise<{ cookie: string; csrf: string }> {
  const { token } = await createLoginLink(ctx.db, { identity, adminIds: ctx.deps.adminIds }, ctx.clock);
  const res = await call(ctx.app, "POST", "/api/dashboard/sign-in", { body: { token } });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const me = (await res.json()) as { csrfToken: string };
  return { cookie: sessionCookieOf(res), csrf: me.csrfToken };
}

export const adminIdentity: DashboardIdentity = { telegramId: adminId, role: "admin", partnerId: null };
export const ownerIdentity = (partner: { partnerId: number; staffTelegramId: number }): DashboardIdentity => ({
  telegramId: partner.staffTelegramId,
  role: "partner",
  partnerId: partner.partnerId,
});

/** The `{ error }` of a refused call. */
export async function errorOf(res: Response): Promise<{ code: string; message: string; field?: string }> {
  const body = (await res.json()) as { error: { code: string; message: string; field?: string } };
  return body.error;
}
