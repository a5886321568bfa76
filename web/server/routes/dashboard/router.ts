import { Hono } from "hono";
import type { DashboardEnv, WebDeps } from "../../context.js";
import { accountRoutes } from "./account.js";
import { adminRoutes } from "./admin.js";
import { clientRoutes } from "./clients.js";
import { networkRoutes } from "./network.js";
import { reportRoutes } from "./reports.js";
import { dashboardSession } from "./session.js";

/** /api/dashboard/*: every route behind the session check (only sign-in is let through without one). */
export function dashboardRoutes(deps: WebDeps): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();
  app.use("*", dashboardSession(deps));
  app.route("/", accountRoutes(deps));
  app.route("/", reportRoutes(deps));
  app.route("/", networkRoutes(deps));
  app.route("/", clientRoutes(deps));
  app.route("/", adminRoutes(deps));
  return app;
}
