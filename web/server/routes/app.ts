import { Hono, type MiddlewareHandler } from "hono";
import { cardResponse, historyQuery, historyResponse, languageBody, languageResponse, networkResponse, tillCodeResponse } from "../../api.js";
import { clientCodeTtlSeconds, issueClientCode } from "../../../core/clients/codes.js";
import { clientHistory, clientSummary, findClient } from "../../../core/clients/service.js";
import { networkServices } from "../../../core/catalog/service.js";
import { currentPromotions } from "../../../core/promotions/service.js";
import { referralCounts } from "../../../core/referrals/service.js";
import { getNetworkSettings } from "../../../core/settings/service.js";
import { chooseLanguage } from "../../../core/users/service.js";
import type { MiniAppEnv, WebDeps } from "../context.js";
import { ApiFailure, jsonBody, queryOf, send } from "../errors.js";
import { checkInitData } from "../init-data.js";
import { rateLimit } from "../rate-limit.js";

/**
 * The Mini App's API. Every call carries `Authorization: tma <initData>`; the client is the one Telegram signed it
 * for, and nothing here takes a client id from the request: a call can only ever read or change that client's data.
 */
export function miniAppRoutes(deps: WebDeps): Hono<MiniAppEnv> {
  const app = new Hono<MiniAppEnv>();
  app.use("*", initDataAuth(deps));

  app.get("/card", async (c) => {
    const client = c.get("client");
    const [summary, settings, referrals, botUsername] = await Promise.all([
      clientSummary(deps.db, client.id, deps.clock),
      getNetworkSettings(deps.db),
      referralCounts(deps.db, client.id),
      deps.clientBotUsername(),
    ]);
    return send(c, cardResponse, {
      firstName: client.firstName,
      language: client.language,
      balance: summary.balance,
      tier: summary.tier,
      earned: summary.earned,
      nextTier: summary.nextTier,
      pointsToNext: summary.pointsToNext,
      thresholds: settings.tierThresholds,
      rateBp: settings.ratesBp[summary.tier],
      referral: {
        link: `https://t.me/${botUsername}?start=r_${client.referralCode}`,
        code: client.referralCode,
        joined: referrals.joined,
        rewarded: referrals.rewarded,
        bonusPoints: settings.referralBonus,
      },
    });
  });

  // A code is a Redis key that lives ten minutes: a page (or a script) asking in a loop is slowed down.
  app.post("/code", rateLimit<MiniAppEnv>(deps, { name: "app-code", max: 20, windowSeconds: 60, key: (c) => String(c.get("client").id) }), async (c) => {
    const code = await issueClientCode(deps.redis, c.get("client").id);
    const expiresAt = new Date(deps.clock.now().getTime() + clientCodeTtlSeconds * 1000);
    return send(c, tillCodeResponse, { code, expiresAt, ttlSeconds: clientCodeTtlSeconds });
  });

  app.get("/history", async (c) => {
    const query = queryOf(c, historyQuery);
    const page = await clientHistory(deps.db, { clientId: c.get("client").id, limit: query.limit, beforeId: query.before ?? null });
    return send(c, historyResponse, { items: page.entries, nextBefore: page.nextBeforeId });
  });

  app.get("/network", async (c) => {
    const [promotions, services] = await Promise.all([currentPromotions(deps.db, deps.clock), networkServices(deps.db)]);
    return send(c, networkResponse, { promotions, services });
  });

  app.put("/language", async (c) => {
    const { language } = await jsonBody(c, languageBody);
    // The same choice as /language in the bots: every bot and the client's notifications follow it.
    await chooseLanguage(deps.db, c.get("telegramUser").id, language);
    return send(c, languageResponse, { language });
  });

  return app;
}

/** Checks the initData (signature, age) and finds the client it names; refuses with 401, 404 or 403 otherwise. */
function initDataAuth(deps: WebDeps): MiddlewareHandler<MiniAppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^tma (.+)$/.exec(header);
    if (!match) throw new ApiFailure(401, "INIT_DATA_INVALID", "send Telegram's initData as `Authorization: tma <initData>`");
    const check = checkInitData(match[1]!, { botToken: deps.clientBotToken, maxAgeSeconds: deps.initDataMaxAgeSeconds, now: deps.clock.now() });
    if (!check.ok) {
      deps.logger.info({ reason: check.reason }, "Mini App initData refused");
      throw new ApiFailure(401, check.code, check.code === "INIT_DATA_EXPIRED" ? "initData is too old: reopen the card from the bot" : "initData is not valid");
    }
    const client = await findClient(deps.db, { telegramId: check.user.id });
    if (!client) throw new ApiFailure(404, "NOT_A_CLIENT", "not a client yet: open the bot and press Start");
    if (client.status === "blocked") throw new ApiFailure(403, "CLIENT_BLOCKED", "this card is blocked");
    c.set("client", client);
    c.set("telegramUser", check.user);
    await next();
  };
}
