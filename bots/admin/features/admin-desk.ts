import { Composer, InlineKeyboard } from "grammy";
import { networkStats } from "../../../core/analytics/network-stats.js";
import { moderateBroadcast } from "../../../core/broadcasts/service.js";
import { recentAudit } from "../../../core/audit/service.js";
import { moderateService, pendingServices } from "../../../core/catalog/service.js";
import { clientSummary, findClient } from "../../../core/clients/service.js";
import { addDays } from "../../../core/clock.js";
import { findPartner, moderateApplication, pendingApplications } from "../../../core/partners/service.js";
import { clearKeyboard, formatRubles } from "../../shared/ask.js";
import { attempt, refusalText } from "../../shared/attempt.js";
import { asId } from "../../shared/callback-data.js";
import type { BotContext } from "../../shared/context.js";
import { languageFeature } from "../../shared/language.js";
import { approvalsSwitch, moderate, moderationKeyboard, recompute, targetAction } from "../keyboards.js";
import { getNetworkSettings, updateNetworkSettings } from "../../../core/settings/service.js";
import { segmentCounts } from "../../../core/analytics/nightly.js";
import { enqueue } from "../../../core/jobs/outbox.js";
import { segmentCountsText } from "../../shared/segments.js";

export const adminDesk = new Composer<BotContext>();

adminDesk.command(["start", "help"], (ctx) => ctx.reply(ctx.t("admin-help")));
adminDesk.use(languageFeature());

/** The moderation queue: every pending application and service, each with its buttons. */
adminDesk.command("queue", async (ctx) => {
  const [applications, services] = await Promise.all([pendingApplications(ctx.deps.db, 20), pendingServices(ctx.deps.db, 20)]);
  if (applications.length + services.length === 0) return void (await ctx.reply(ctx.t("queue-empty")));
  const language = await ctx.i18n.getLocale();
  for (const p of applications) {
    await ctx.reply(ctx.t("application-card", { id: p.id, name: p.name, category: p.category, address: p.address, contact: p.contactName, phone: p.phone }), {
      reply_markup: moderationKeyboard(ctx.t, "p", p.id),
    });
  }
  for (const s of services) {
    const partner = await findPartner(ctx.deps.db, { id: s.partnerId });
    await ctx.reply(ctx.t("service-card", { id: s.id, partner: partner?.name ?? "—", name: s.name, price: formatRubles(s.priceKopecks, language), description: s.description }), {
      reply_markup: moderationKeyboard(ctx.t, "s", s.id),
    });
  }
});

adminDesk.callbackQuery(moderate.pattern, async (ctx) => {
  const data = moderate.unpack(ctx.callbackQuery.data)!;
  const id = asId(data.id);
  const kind = data.kind === "p" || data.kind === "s" || data.kind === "b" ? data.kind : null;
  if (id === null || kind === null) return void (await ctx.answerCallbackQuery({ text: ctx.t("button-stale") }));
  await ctx.answerCallbackQuery();
  await clearKeyboard(ctx);
  if (data.verdict === "no") return void (await ctx.conversation.enter("rejectWithReason", kind, id));
  const adminTelegramId = ctx.from.id;
  const outcome = await attempt(async () => {
    const verdict = { decision: "approve" } as const;
    if (kind === "p") await moderateApplication(ctx.deps.db, { adminTelegramId, partnerId: id, verdict }, ctx.deps.clock);
    else if (kind === "s") await moderateService(ctx.deps.db, { adminTelegramId, serviceId: id, verdict }, ctx.deps.clock);
    else await moderateBroadcast(ctx.deps.db, { adminTelegramId, broadcastId: id, verdict }, ctx.deps.clock);
  });
  await ctx.reply(outcome.ok ? ctx.t("approved") : refusalText(ctx.t, outcome));
});

adminDesk.command("stats", async (ctx) => {
  const until = ctx.deps.clock.now();
  const s = await networkStats(ctx.deps.db, { since: addDays(until, -30), until });
  const language = await ctx.i18n.getLocale();
  await ctx.reply(ctx.t("network-stats", { ...s, turnover: formatRubles(s.turnoverKopecks, language) }));
});

/** `/find <phone | client code | telegram id | partner code>` */
adminDesk.command("find", async (ctx) => {
  const query = ctx.match.trim();
  if (!query) return void (await ctx.reply(ctx.t("find-usage")));
  const client = await findClientByAnything(ctx, query);
  if (client) {
    const s = await clientSummary(ctx.deps.db, client.id, ctx.deps.clock).catch(() => null);
    const keyboard = new InlineKeyboard()
      .text(ctx.t("adjust"), targetAction.pack({ kind: "c", id: client.id, action: "a" }))
      .text(client.status === "blocked" ? ctx.t("unblock") : ctx.t("block"), targetAction.pack({ kind: "c", id: client.id, action: client.status === "blocked" ? "u" : "b" }));
    await ctx.reply(
      ctx.t("client-card", { id: client.id, name: client.firstName ?? "—", phone: client.phone ?? "—", telegram: client.telegramId ?? "—", status: client.status, balance: s?.balance ?? 0, tier: s ? ctx.t(`tier-${s.tier}`) : "—" }),
      { reply_markup: keyboard },
    );
    return;
  }
  const partner = /^[A-Za-z0-9]{4,16}$/.test(query) ? await findPartner(ctx.deps.db, { code: query }) : null;
  const byId = !partner && /^p\d{1,12}$/i.test(query) ? await findPartner(ctx.deps.db, { id: Number(query.slice(1)) }) : null;
  const p = partner ?? byId;
  if (!p) return void (await ctx.reply(ctx.t("find-nothing")));
  const keyboard = p.status === "approved" || p.status === "blocked"
    ? new InlineKeyboard().text(p.status === "blocked" ? ctx.t("unblock") : ctx.t("block"), targetAction.pack({ kind: "p", id: p.id, action: p.status === "blocked" ? "u" : "b" }))
    : undefined;
  await ctx.reply(ctx.t("partner-card", { id: p.id, name: p.name, category: p.category, status: p.status, phone: p.phone, code: p.code }), keyboard ? { reply_markup: keyboard } : {});
});

async function findClientByAnything(ctx: BotContext, query: string) {
  const db = ctx.deps.db;
  if (/^\d{5,15}$/.test(query)) {
    const byTelegram = await findClient(db, { telegramId: Number(query) });
    if (byTelegram) return byTelegram;
  }
  if (/^[+\d][\d\s()-]{9,}$/.test(query)) {
    const byPhone = await findClient(db, { phone: query }).catch(() => null);
    if (byPhone) return byPhone;
  }
  if (/^[A-Za-z0-9]{4,16}$/.test(query)) return findClient(db, { code: query });
  return null;
}

adminDesk.callbackQuery(targetAction.pattern, async (ctx) => {
  const data = targetAction.unpack(ctx.callbackQuery.data)!;
  const id = asId(data.id);
  await ctx.answerCallbackQuery();
  if (id === null || (data.kind !== "c" && data.kind !== "p")) return;
  if (data.action === "a" && data.kind === "c") return void (await ctx.conversation.enter("adjust", id));
  if (data.action === "b" || data.action === "u") await ctx.conversation.enter("setBlocked", data.kind, id, data.action === "b");
});

adminDesk.command("broadcast", (ctx) => ctx.conversation.enter("broadcast", { kind: "admin", telegramId: ctx.from!.id }));

/** Whether partners' broadcasts wait for an admin's approval: shown, and switched with a button (audited). */
adminDesk.command("approvals", async (ctx) => {
  const { partnerBroadcastsNeedApproval: on } = await getNetworkSettings(ctx.deps.db);
  await ctx.reply(ctx.t(on ? "approvals-on" : "approvals-off"), {
    reply_markup: new InlineKeyboard().text(ctx.t(on ? "approvals-turn-off" : "approvals-turn-on"), approvalsSwitch.pack({ on: on ? 0 : 1 })),
  });
});
adminDesk.callbackQuery(approvalsSwitch.pattern, async (ctx) => {
  const on = approvalsSwitch.unpack(ctx.callbackQuery.data)!.on === "1";
  await updateNetworkSettings(ctx.deps.db, { adminTelegramId: ctx.from.id, patch: { partnerBroadcastsNeedApproval: on } });
  await ctx.answerCallbackQuery();
  await ctx.editMessageText(ctx.t(on ? "approvals-on" : "approvals-off"));
});

adminDesk.command("segments", async (ctx) => {
  const counts = await segmentCounts(ctx.deps.db, { partnerId: null });
  await ctx.reply(segmentCountsText(ctx.t, counts), { reply_markup: new InlineKeyboard().text(ctx.t("segments-recompute"), recompute.pack({ go: 1 })) });
});
adminDesk.callbackQuery(recompute.pattern, async (ctx) => {
  // One request per admin per minute is enough; the dedupe key makes a double press one job.
  const minute = Math.floor(ctx.deps.clock.now().getTime() / 60_000);
  await enqueue(ctx.deps.db, "analytics.recompute", { requestedBy: ctx.from.id }, { runAt: ctx.deps.clock.now(), dedupeKey: `analytics:manual:${ctx.from.id}:${minute}` });
  await ctx.answerCallbackQuery({ text: ctx.t("segments-recompute-queued") });
});

adminDesk.command("audit", async (ctx) => {
  const rows = await recentAudit(ctx.deps.db, 20);
  if (rows.length === 0) return void (await ctx.reply(ctx.t("audit-empty")));
  const time = new Intl.DateTimeFormat("ru-RU", { dateStyle: "short", timeStyle: "short", timeZone: "Europe/Moscow" });
  const lines = rows.map((r) => `${time.format(r.createdAt)} · ${r.actorType}:${r.actorTelegramId ?? "—"} · ${r.action} · ${r.targetType}#${r.targetId ?? "—"}`);
  await ctx.reply([ctx.t("audit-title"), ...lines].join("\n").slice(0, 4_096));
});

adminDesk.command("cancel", (ctx) => ctx.reply(ctx.t("nothing-to-cancel")));
adminDesk.on("callback_query", (ctx) => ctx.answerCallbackQuery({ text: ctx.t("button-stale") }));
adminDesk.on("message", (ctx) => ctx.reply(ctx.t("admin-help")));
