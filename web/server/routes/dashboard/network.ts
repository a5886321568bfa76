import { Hono } from "hono";
import {
  blockBody,
  blockResponse,
  broadcastsResponse,
  moderateBody,
  moderationResponse,
  partnersQuery,
  partnersResponse,
  promotionsResponse,
  servicesQuery,
  servicesResponse,
} from "../../../api.js";
import { listBroadcasts } from "../../../../core/broadcasts/service.js";
import { listServices, moderateService } from "../../../../core/catalog/service.js";
import { listPartners, moderateApplication, setPartnerBlocked } from "../../../../core/partners/service.js";
import { listPromotions } from "../../../../core/promotions/service.js";
import type { DashboardEnv, WebDeps } from "../../context.js";
import { jsonBody, queryOf, send } from "../../errors.js";
import { idOf } from "../../params.js";
import { adminOnly } from "./session.js";

/**
 * Partners and their applications (admin), and what partners run: services (moderated by an admin), promotions
 * and broadcasts — a partner's own, or everyone's for an admin. A moderation here is the same core call as in the
 * admin bot, so the partner bot tells the partner the decision as it always did (through the outbox).
 */
export function networkRoutes(deps: WebDeps): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();

  app.get("/partners", adminOnly, async (c) => {
    const { status } = queryOf(c, partnersQuery);
    return send(c, partnersResponse, { items: await listPartners(deps.db, status ? { status } : {}) });
  });

  app.post("/partners/:id/moderate", adminOnly, async (c) => {
    const partnerId = idOf(c);
    const verdict = await jsonBody(c, moderateBody);
    const partner = await moderateApplication(deps.db, { adminTelegramId: c.get("session").telegramId, partnerId, verdict }, deps.clock);
    return send(c, moderationResponse, partner);
  });

  app.post("/partners/:id/block", adminOnly, async (c) => {
    const partnerId = idOf(c);
    const body = await jsonBody(c, blockBody);
    const { status } = await setPartnerBlocked(deps.db, { adminTelegramId: c.get("session").telegramId, partnerId, ...body });
    return send(c, blockResponse, { id: partnerId, status });
  });

  app.get("/services", async (c) => {
    const { status } = queryOf(c, servicesQuery);
    return send(c, servicesResponse, { items: await listServices(deps.db, { partnerId: c.get("session").partnerId, ...(status ? { status } : {}) }) });
  });

  app.post("/services/:id/moderate", adminOnly, async (c) => {
    const serviceId = idOf(c);
    const verdict = await jsonBody(c, moderateBody);
    const service = await moderateService(deps.db, { adminTelegramId: c.get("session").telegramId, serviceId, verdict }, deps.clock);
    return send(c, moderationResponse, service);
  });

  app.get("/promotions", async (c) => send(c, promotionsResponse, { items: await listPromotions(deps.db, { partnerId: c.get("session").partnerId }) }));

  app.get("/broadcasts", async (c) => send(c, broadcastsResponse, { items: await listBroadcasts(deps.db, { partnerId: c.get("session").partnerId }) }));

  return app;
}
