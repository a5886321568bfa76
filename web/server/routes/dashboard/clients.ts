import { Hono } from "hono";
import { adjustBody, adjustResponse, clientCardResponse, clientsQuery, clientsResponse, undoBody, undoResponse } from "../../../api.js";
import { clientCard, searchClients } from "../../../../core/clients/directory.js";
import { maskPhone } from "../../../../core/clients/phone.js";
import { adjustBalance, undoOperation } from "../../../../core/ledger/service.js";
import type { DashboardEnv, WebDeps } from "../../context.js";
import { jsonBody, queryOf, send } from "../../errors.js";
import { idOf } from "../../params.js";
import { adminOnly } from "./session.js";

const pageSize = 50;

/** A partner sees its clients' phones masked (the bot shows cashiers the same); an admin sees them whole. */
const phoneFor = (partnerId: number | null, phone: string | null) => (phone === null || partnerId === null ? phone : maskPhone(phone));

/** Clients: the list with search and filters, a client's card, and an admin's adjustment and undo. */
export function clientRoutes(deps: WebDeps): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();

  app.get("/clients", async (c) => {
    const { partnerId } = c.get("session");
    const query = queryOf(c, clientsQuery);
    const found = await searchClients(deps.db, {
      partnerId,
      page: query.page,
      pageSize,
      ...(query.q ? { q: query.q } : {}),
      ...(query.category ? { category: query.category } : {}),
      ...(query.segment ? { segment: query.segment } : {}),
    });
    const items = found.items.map((row) => ({ ...row, phone: phoneFor(partnerId, row.phone) }));
    return send(c, clientsResponse, { items, total: found.total, page: query.page, pageSize });
  });

  // A partner asking for a client who never bought there nor joined by its link gets 403 (core's FORBIDDEN).
  app.get("/clients/:id", async (c) => {
    const { partnerId } = c.get("session");
    const card = await clientCard(deps.db, { clientId: idOf(c), partnerId }, deps.clock);
    return send(c, clientCardResponse, { ...card, client: { ...card.client, phone: phoneFor(partnerId, card.client.phone) } });
  });

  app.post("/clients/:id/adjust", adminOnly, async (c) => {
    const clientId = idOf(c);
    const body = await jsonBody(c, adjustBody);
    const entry = await adjustBalance(deps.db, { adminTelegramId: c.get("session").telegramId, clientId, ...body }, deps.clock);
    return send(c, adjustResponse, { entryId: entry.id, points: entry.points, balanceAfter: entry.balanceAfter, replayed: entry.replayed });
  });

  app.post("/ledger/:id/undo", adminOnly, async (c) => {
    const entryId = idOf(c);
    const { reason } = await jsonBody(c, undoBody);
    const undone = await undoOperation(deps.db, { entryId, actor: { kind: "admin", adminTelegramId: c.get("session").telegramId }, reason }, deps.clock);
    return send(c, undoResponse, {
      reversalId: undone.reversal.id,
      points: undone.reversal.points,
      balanceAfter: undone.reversal.balanceAfter,
      shortfall: undone.shortfall,
      replayed: undone.replayed,
    });
  });

  return app;
}
