import { Hono } from "hono";
import { exportKind, overviewResponse, settlementResponse } from "../../../api.js";
import { overview } from "../../../../core/analytics/overview.js";
import { settlement, settlementCsv } from "../../../../core/analytics/settlement.js";
import { exportCsv } from "../../../../core/exports/csv.js";
import { chosenLanguage } from "../../../../core/users/service.js";
import type { DashboardEnv, WebDeps } from "../../context.js";
import { csvHeaders, csvStream } from "../../csv.js";
import { ApiFailure, parseInput, send } from "../../errors.js";
import { periodOfQuery } from "../../params.js";
import { adminOnly } from "./session.js";

/**
 * Numbers over a period: the overview (the network for an admin, its own for a partner), the settlement between
 * partners (admin), and the CSV exports of clients, ledger and purchases (a partner's own rows only).
 */
/** CSV exports streaming at once in one web server (each holds a database connection of its own). */
export const maxConcurrentExports = 3;

export function reportRoutes(deps: WebDeps): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();
  let exportsRunning = 0;

  app.get("/overview", async (c) => {
    const period = periodOfQuery(c, deps);
    const numbers = await overview(deps.db, { partnerId: c.get("session").partnerId, period });
    return send(c, overviewResponse, { ...numbers, from: period.from, to: period.to });
  });

  app.get("/settlement", adminOnly, async (c) => {
    const period = periodOfQuery(c, deps);
    const report = await settlement(deps.db, { period });
    return send(c, settlementResponse, { from: period.from, to: period.to, ...report });
  });

  app.get("/settlement.csv", adminOnly, async (c) => {
    const period = periodOfQuery(c, deps);
    const report = await settlement(deps.db, { period });
    const language = (await chosenLanguage(deps.db, c.get("session").telegramId)) ?? "ru";
    return c.body(settlementCsv(report, language), 200, csvHeaders(`settlement-${period.from}-${period.to}.csv`));
  });

  // /export/clients.csv, /export/ledger.csv, /export/purchases.csv
  app.get("/export/:file", async (c) => {
    const file = c.req.param("file");
    const name = file.endsWith(".csv") ? file.slice(0, -".csv".length) : "";
    if (!name) throw new ApiFailure(404, "NOT_FOUND", "exports are clients.csv, ledger.csv and purchases.csv");
    const kind = parseInput(exportKind, name, "what");
    const period = periodOfQuery(c, deps);
    // Each export holds a database connection while it streams: a few at a time per process, the rest asked to wait.
    if (exportsRunning >= maxConcurrentExports) throw new ApiFailure(429, "EXPORT_BUSY", "other exports are running; try again in a minute");
    exportsRunning += 1;
    const rows = exportCsv(deps.db, { kind, partnerId: c.get("session").partnerId, period });
    const stream = csvStream(rows, deps.logger, { onEnd: () => void (exportsRunning -= 1) });
    return c.body(stream, 200, csvHeaders(`${kind}-${period.from}-${period.to}.csv`));
  });

  return app;
}
