import { Hono } from "hono";
import { auditQuery, auditResponse, jobsQuery, jobsResponse, retryResponse, settingBody, settingRow, settingsResponse } from "../../../api.js";
import { auditPage } from "../../../../core/audit/service.js";
import { listJobs, retryJob } from "../../../../core/jobs/admin.js";
import {
  changeNetworkSetting,
  editableSettingKeys,
  editableSettings,
  getNetworkSettings,
  isEditableSetting,
  settingRange,
  settingValue,
  type EditableSetting,
  type NetworkSettings,
} from "../../../../core/settings/service.js";
import type { DashboardEnv, WebDeps } from "../../context.js";
import { ApiFailure, jsonBody, queryOf, send } from "../../errors.js";
import { idOf } from "../../params.js";
import { adminOnly } from "./session.js";

const settingRowOf = (settings: NetworkSettings, key: EditableSetting) => ({ key, value: settingValue(settings, key), unit: editableSettings[key], ...settingRange(key) });

/** The operator's pages, admins only: failed jobs (retry one), the audit log, the network's settings. */
export function adminRoutes(deps: WebDeps): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();

  app.get("/jobs", adminOnly, async (c) => {
    const { status } = queryOf(c, jobsQuery);
    return send(c, jobsResponse, { items: await listJobs(deps.db, { status }) });
  });

  app.post("/jobs/:id/retry", adminOnly, async (c) => {
    const jobId = idOf(c);
    return send(c, retryResponse, await retryJob(deps.db, { jobId, adminTelegramId: c.get("session").telegramId }, deps.clock));
  });

  app.get("/audit", adminOnly, async (c) => {
    const { before } = queryOf(c, auditQuery);
    return send(c, auditResponse, await auditPage(deps.db, before === undefined ? {} : { before }));
  });

  app.get("/settings", adminOnly, async (c) => {
    const settings = await getNetworkSettings(deps.db);
    return send(c, settingsResponse, { items: editableSettingKeys.map((key) => settingRowOf(settings, key)) });
  });

  app.put("/settings/:key", adminOnly, async (c) => {
    const key = c.req.param("key");
    if (!isEditableSetting(key)) throw new ApiFailure(404, "NOT_FOUND", `no editable setting ${key}`, "key");
    const { value } = await jsonBody(c, settingBody);
    // Out of range or thresholds out of order: core's VALIDATION names the setting (400).
    const { settings } = await changeNetworkSetting(deps.db, { adminTelegramId: c.get("session").telegramId, setting: key, value });
    return send(c, settingRow, settingRowOf(settings, key));
  });

  return app;
}
