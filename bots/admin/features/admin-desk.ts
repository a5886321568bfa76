import { Composer, InlineKeyboard } from "grammy";
import { networkStats } from "../../../core/analytics/network-stats.js";
import { moderateBroadcast } from "../../../core/broadcasts/service.js";
import { recentAudit } from "../../../core/audit/service.js";
import { moderateService, pendingServices } from "../../../core/catalog/service.js";
import { findClient } from "../../../core/clients/service.js";
import { addDays } from "../../../core/clock.js";
import { findPartner, moderateApplication, pendingApplications } from "../../../core/partners/service.js";
import { clearKeyboard } from "../../shared/ask.js";
import { formatRubles } from "../../../telegram/money.js";
import { attempt, refusalText } from "../../shared/attempt.js";
import { asId } from "../../../telegram/callback-data.js";
import type { BotContext } from "../../shared/context.js";
import { languageFeature } from "../../shared/language.js";
import { approvalsSwitch, recompute, settingPick, targetAction, undoConfirm, undoPick } from "../keyboards.js";
import { moderate, moderationKeyboard } from "../../../telegram/keyboards.js";
import { editableSettingKeys, getNetworkSettings, isEditableSetting, updateNetworkSettings } from "../../../core/settings/service.js";
import { clientNumbers, segmentCounts } from "../../../core/analytics/nightly.js";
import { clientOperation, recentClientOperations } from "../../../core/ledger/client-operations.js";
import { undoOperation } from "../../../core/ledger/service.js";
import { balanceOf } from "../../../core/ledger/post.js";
import { earnedPoints, tierFor } from "../../../core/ledger/tiers.js";
import { calendarDate, date, dateTime, rubles, settingButtonId, settingFromButtonId, settingName, settingsList, signedPoints, tOr } from "../format.js";
import { auditLine } from "../audit-text.js";
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
    await ctx.reply(ctx.t("application-card", { id: String(p.id), name: p.name, category: partnerCategory(ctx, p.category), address: p.address, contact: p.contactName, phone: p.phone }), {
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
  if (client) return void (await showClientCard(ctx, client.id));
  const partner = /^[A-Za-z0-9]{4,16}$/.test(query) ? await findPartner(ctx.deps.db, { code: query }) : null;
  const byId = !partner && /^p\d{1,12}$/i.test(query) ? await findPartner(ctx.deps.db, { id: Number(query.slice(1)) }) : null;
  const p = partner ?? byId;
  if (!p) return void (await ctx.reply(ctx.t("find-nothing")));
  const keyboard = p.status === "approved" || p.status === "blocked"
    ? new InlineKeyboard().text(p.status === "blocked" ? ctx.t("unblock") : ctx.t("block"), targetAction.pack({ kind: "p", id: p.id, action: p.status === "blocked" ? "u" : "b" }))
    : undefined;
  await ctx.reply(
    ctx.t("partner-card", { id: String(p.id), name: p.name, category: partnerCategory(ctx, p.category), status: tOr(ctx.t, `partner-status-${p.status}`, p.status), phone: p.phone, code: p.code }),
    keyboard ? { reply_markup: keyboard } : {},
  );
});

const partnerCategory = (ctx: BotContext, category: string) => tOr(ctx.t, `partner-category-${category}`, category);

/**
 * A client's card: who they are, balance and tier, the nightly numbers (purchases, total, average check, last
 * purchase, LTV, category and segment), and their latest operations, each that can still be undone with a button.
 */
async function showClientCard(ctx: BotContext, clientId: number) {
  const db = ctx.deps.db;
  const client = await findClient(db, { id: clientId });
  if (!client) return void (await ctx.reply(ctx.t("find-nothing")));
  // Read directly rather than through clientSummary, which refuses a blocked client: their balance and tier still show.
  const settings = await getNetworkSettings(db);
  const [balance, earned] = await Promise.all([balanceOf(db, client.id), earnedPoints(db, client.id, ctx.deps.clock.now(), settings.tierWindowDays)]);
  const tier = tierFor(earned, settings.tierThresholds);
  const [numbers, operations] = await Promise.all([clientNumbers(db, { clientId: client.id, partnerId: null }), recentClientOperations(db, client.id, 5)]);
  const t = ctx.t;
  const lines = [
    t("client-card", {
      id: String(client.id),
      name: client.firstName ?? "—",
      phone: client.phone ?? "—",
      telegram: client.telegramId === null ? "—" : String(client.telegramId),
      status: tOr(t, `client-status-${client.status}`, client.status),
      balance,
      tier: t(`tier-${tier}`),
    }),
    numbers
      ? t("client-numbers", {
          purchases: numbers.purchases,
          total: rubles(t, numbers.totalKopecks),
          average: rubles(t, numbers.averageCheckKopecks),
          last: numbers.lastPurchaseAt ? date(t, numbers.lastPurchaseAt) : t("client-no-purchase"),
          ltv: rubles(t, numbers.ltvKopecks),
          category: t(`customers-${numbers.category}`),
          segment: t(`segment-${numbers.segment.replaceAll("_", "-")}`),
          date: calendarDate(t, numbers.computedOn),
        })
      : t("client-numbers-none"),
  ];
  if (operations.length > 0) {
    lines.push("", t("client-operations"));
    for (const op of operations) lines.push(operationLine(ctx, op));
  }
  const keyboard = new InlineKeyboard()
    .text(t("adjust"), targetAction.pack({ kind: "c", id: client.id, action: "a" }))
    .text(client.status === "blocked" ? t("unblock") : t("block"), targetAction.pack({ kind: "c", id: client.id, action: client.status === "blocked" ? "u" : "b" }));
  for (const op of operations.filter((o) => o.undoable)) keyboard.row().text(t("undo-button", { id: String(op.id), kind: operationKind(ctx, op.kind), points: signedPoints(t, op.points) }), undoPick.pack({ entry: op.id }));
  await ctx.reply(lines.join("\n"), { reply_markup: keyboard });
}

const operationKind = (ctx: BotContext, kind: string) => tOr(ctx.t, `op-${kind.replaceAll("_", "-")}`, kind);
function operationLine(ctx: BotContext, op: { id: number; kind: string; points: number; partnerName: string | null; createdAt: Date; reversedById: number | null }) {
  return ctx.t(op.reversedById === null ? "client-operation" : "client-operation-undone", {
    id: String(op.id),
    date: dateTime(ctx.t, op.createdAt),
    kind: operationKind(ctx, op.kind),
    points: signedPoints(ctx.t, op.points),
    partner: op.partnerName ?? "—",
  });
}

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

/** Undo from the client card: the button asks to confirm; the confirmation undoes once (a second press finds the first undo). */
adminDesk.callbackQuery(undoPick.pattern, async (ctx) => {
  const entryId = asId(undoPick.unpack(ctx.callbackQuery.data)!.entry);
  const op = entryId === null ? null : await clientOperation(ctx.deps.db, entryId);
  if (!op) return void (await ctx.answerCallbackQuery({ text: ctx.t("button-stale") }));
  await ctx.answerCallbackQuery();
  if (op.reversedById !== null) return void (await ctx.reply(ctx.t("undo-already", { id: String(op.id) })));
  const keyboard = new InlineKeyboard().text(ctx.t("undo-yes"), undoConfirm.pack({ entry: op.id, answer: "y" })).text(ctx.t("decline"), undoConfirm.pack({ entry: op.id, answer: "n" }));
  await ctx.reply(ctx.t("undo-confirm", { line: operationLine(ctx, op), clientId: String(op.clientId) }), { reply_markup: keyboard });
});
adminDesk.callbackQuery(undoConfirm.pattern, async (ctx) => {
  const data = undoConfirm.unpack(ctx.callbackQuery.data)!;
  const entryId = asId(data.entry);
  if (entryId === null) return void (await ctx.answerCallbackQuery({ text: ctx.t("button-stale") }));
  await ctx.answerCallbackQuery();
  await clearKeyboard(ctx);
  if (data.answer !== "y") return void (await ctx.reply(ctx.t("cancelled")));
  const outcome = await attempt(() => undoOperation(ctx.deps.db, { entryId, actor: { kind: "admin", adminTelegramId: ctx.from.id } }, ctx.deps.clock));
  if (!outcome.ok) return void (await ctx.reply(refusalText(ctx.t, outcome)));
  const { reversal, shortfall, replayed } = outcome.value;
  if (replayed) return void (await ctx.reply(ctx.t("undo-already", { id: String(entryId) })));
  await ctx.reply(ctx.t("undo-done", { id: String(entryId), points: signedPoints(ctx.t, reversal.points), balance: reversal.balanceAfter, shortfall }));
});

/** The network's settings (DOMAIN.md's *default* numbers): listed with their values, each changed with its button. */
adminDesk.command("settings", async (ctx) => {
  const settings = await getNetworkSettings(ctx.deps.db);
  const keyboard = new InlineKeyboard();
  editableSettingKeys.forEach((key, i) => {
    keyboard.text(settingName(ctx.t, key), settingPick.pack({ key: settingButtonId(key) }));
    if (i % 2 === 1) keyboard.row();
  });
  await ctx.reply([ctx.t("settings-title"), "", settingsList(ctx.t, settings, editableSettingKeys)].join("\n"), { reply_markup: keyboard });
});
adminDesk.callbackQuery(settingPick.pattern, async (ctx) => {
  const key = settingFromButtonId(settingPick.unpack(ctx.callbackQuery.data)!.key);
  if (!isEditableSetting(key)) return void (await ctx.answerCallbackQuery({ text: ctx.t("button-stale") }));
  await ctx.answerCallbackQuery();
  await ctx.conversation.enter("editNetworkSetting", key);
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
  const lines = rows.map((r) => auditLine(ctx.t, r));
  await ctx.reply([ctx.t("audit-title"), ...lines].join("\n").slice(0, 4_096));
});

adminDesk.command("cancel", (ctx) => ctx.reply(ctx.t("nothing-to-cancel")));
adminDesk.on("callback_query", (ctx) => ctx.answerCallbackQuery({ text: ctx.t("button-stale") }));
adminDesk.on("message", (ctx) => ctx.reply(ctx.t("admin-help")));
