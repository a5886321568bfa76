import type { I18n } from "@grammyjs/i18n";
import { Composer, InlineKeyboard, InputFile } from "grammy";
import QRCode from "qrcode";
import { partnerStats } from "../../../core/analytics/partner-stats.js";
import { segmentCounts } from "../../../core/analytics/nightly.js";
import { segmentCountsText } from "../../shared/segments.js";
import { partnerServices } from "../../../core/catalog/service.js";
import { addDays, startOfDay } from "../../../core/clock.js";
import { randomCode } from "../../../core/ids.js";
import { cancelRedemption, recentPartnerOperations, undoOperation } from "../../../core/ledger/service.js";
import { findPartner, listStaff, removeStaff } from "../../../core/partners/service.js";
import { deletePromotion, partnerPromotions } from "../../../core/promotions/service.js";
import { promotionDates } from "../../../telegram/promotion-dates.js";
import { formatRubles } from "../../../telegram/money.js";
import { attempt, refusalText } from "../../shared/attempt.js";
import { asId } from "../../../telegram/callback-data.js";
import type { BaseContext, BotContext, StaffActor } from "../../shared/context.js";
import { botUsername } from "../../shared/bot-username.js";
import { inAllLanguages } from "../../../telegram/i18n.js";
import { settingFields, showSettings } from "../conversations/settings.js";
import { partnerMenu, promotionDelete, redemptionCancel, redemptionCode, settingPick, staffInvite, staffRemove, statsPeriod, undoConfirm, undoPick } from "../keyboards.js";
import { staffInviteKey } from "./public.js";

/** Everything staff of an approved partner do. Installed behind the role check, so `ctx.staff` is set. */
export function staffDesk(i18n: I18n<BaseContext>) {
  const desk = new Composer<BotContext>();
  const staffOf = (ctx: BotContext): StaffActor => ctx.staff!;

  const enter = (name: string) => (ctx: BotContext) => ctx.conversation.enter(name, staffOf(ctx));
  desk.command("accrue", enter("accrual"));
  desk.hears(inAllLanguages(i18n, "menu-accrue"), enter("accrual"));
  desk.command("redeem", enter("redemption"));
  desk.hears(inAllLanguages(i18n, "menu-redeem"), enter("redemption"));
  desk.command("find", enter("findClient"));
  desk.hears(inAllLanguages(i18n, "menu-find"), enter("findClient"));
  desk.command("newpromo", enter("newPromotion"));
  desk.command("newservice", enter("newService"));
  desk.callbackQuery(redemptionCode.pattern, async (ctx) => {
    // The button carries its request: the code typed next is checked against that request only.
    const requestId = asId(redemptionCode.unpack(ctx.callbackQuery.data)!.request);
    if (requestId === null) return void (await ctx.answerCallbackQuery({ text: ctx.t("button-stale") }));
    await ctx.answerCallbackQuery();
    await ctx.conversation.enter("redemptionByCode", staffOf(ctx), requestId);
  });
  desk.callbackQuery(redemptionCancel.pattern, async (ctx) => {
    const requestId = asId(redemptionCancel.unpack(ctx.callbackQuery.data)!.request);
    if (requestId === null) return void (await ctx.answerCallbackQuery({ text: ctx.t("button-stale") }));
    const s = staffOf(ctx);
    const outcome = await attempt(() => cancelRedemption(ctx.deps.db, { partnerId: s.partnerId, staffTelegramId: s.staffTelegramId, requestId }, ctx.deps.clock));
    await ctx.answerCallbackQuery(outcome.ok ? {} : { text: refusalText(ctx.t, outcome), show_alert: true });
    if (outcome.ok) await ctx.editMessageText(ctx.t("redeem-cancelled"));
  });

  // --- undo
  const showUndo = async (ctx: BotContext) => {
    const ops = await recentPartnerOperations(ctx.deps.db, staffOf(ctx).partnerId, 8);
    if (ops.length === 0) return void (await ctx.reply(ctx.t("undo-none")));
    const time = new Intl.DateTimeFormat(ctx.t("date-locale"), { hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit", timeZone: "Europe/Moscow" });
    const kb = new InlineKeyboard();
    for (const op of ops) kb.text(ctx.t("undo-line", { kind: ctx.t(`op-${op.kind}`), points: op.points, time: time.format(op.createdAt) }), undoPick.pack({ entry: op.id })).row();
    await ctx.reply(ctx.t("undo-pick"), { reply_markup: kb });
  };
  desk.command("undo", showUndo);
  desk.hears(inAllLanguages(i18n, "menu-undo"), showUndo);
  desk.callbackQuery(undoPick.pattern, async (ctx) => {
    const entry = asId(undoPick.unpack(ctx.callbackQuery.data)!.entry);
    await ctx.answerCallbackQuery();
    if (entry === null) return;
    await ctx.editMessageText(ctx.t("undo-confirm"), { reply_markup: new InlineKeyboard().text(ctx.t("confirm"), undoConfirm.pack({ entry })) });
  });
  desk.callbackQuery(undoConfirm.pattern, async (ctx) => {
    const entryId = asId(undoConfirm.unpack(ctx.callbackQuery.data)!.entry);
    if (entryId === null) return void (await ctx.answerCallbackQuery({ text: ctx.t("button-stale") }));
    const s = staffOf(ctx);
    const outcome = await attempt(() => undoOperation(ctx.deps.db, { entryId, actor: { kind: "staff", partnerId: s.partnerId, staffTelegramId: s.staffTelegramId } }, ctx.deps.clock));
    if (!outcome.ok) return void (await ctx.answerCallbackQuery({ text: refusalText(ctx.t, outcome), show_alert: true }));
    await ctx.answerCallbackQuery();
    const u = outcome.value;
    await ctx.editMessageText(ctx.t(u.replayed ? "undo-already" : "undo-done", { points: u.reversal.points, shortfall: u.shortfall }));
  });

  // --- statistics
  const showStatsMenu = (ctx: BotContext) =>
    ctx.reply(ctx.t("stats-pick"), {
      reply_markup: new InlineKeyboard().text(ctx.t("stats-1"), statsPeriod.pack({ days: 1 })).text(ctx.t("stats-7"), statsPeriod.pack({ days: 7 })).text(ctx.t("stats-30"), statsPeriod.pack({ days: 30 })),
    });
  desk.command("stats", showStatsMenu);
  desk.hears(inAllLanguages(i18n, "menu-stats"), showStatsMenu);
  desk.callbackQuery(statsPeriod.pattern, async (ctx) => {
    const days = asId(statsPeriod.unpack(ctx.callbackQuery.data)!.days);
    if (days === null || ![1, 7, 30].includes(days)) return void (await ctx.answerCallbackQuery({ text: ctx.t("button-stale") }));
    const until = ctx.deps.clock.now();
    // "Today" is the café's calendar day, not the last 24 hours.
    const since = days === 1 ? startOfDay(until) : addDays(until, -days);
    const s = await partnerStats(ctx.deps.db, staffOf(ctx).partnerId, { since, until });
    const language = await ctx.i18n.getLocale();
    await ctx.answerCallbackQuery();
    await ctx.reply(
      ctx.t("stats", {
        period: ctx.t(`stats-${days}`),
        turnover: formatRubles(s.turnoverKopecks, language),
        checks: s.checks,
        average: formatRubles(s.averageCheckKopecks, language),
        newClients: s.newClients,
        returning: s.returningClients,
        issued: s.pointsIssued,
        redeemed: s.pointsRedeemed,
        outstanding: s.pointsOutstanding,
        nps: s.nps.nps === null ? "—" : String(s.nps.nps),
        ratings: s.nps.total,
      }),
    );
  });

  desk.command("broadcast", (ctx) => ctx.conversation.enter("broadcast", { kind: "partner", partnerId: staffOf(ctx).partnerId, staffTelegramId: staffOf(ctx).staffTelegramId }));
  desk.command("segments", async (ctx) => ctx.reply(segmentCountsText(ctx.t, await segmentCounts(ctx.deps.db, { partnerId: staffOf(ctx).partnerId }))));

  // --- the partner's invitation link for customers
  desk.command("link", async (ctx) => {
    const partner = await findPartner(ctx.deps.db, { id: staffOf(ctx).partnerId });
    const clientBot = await botUsername(ctx.deps, "client");
    if (!partner) return;
    if (!clientBot) return void (await ctx.reply(ctx.t("link-code-only", { code: partner.code })));
    const link = `https://t.me/${clientBot}?start=p_${partner.code}`;
    const png = await QRCode.toBuffer(link, { type: "png", width: 512, margin: 2 });
    await ctx.replyWithPhoto(new InputFile(png, "partner-qr.png"), { caption: ctx.t("link", { link }) });
  });

  // --- promotions and services
  desk.command("promotions", async (ctx) => {
    const list = await partnerPromotions(ctx.deps.db, staffOf(ctx).partnerId);
    if (list.length === 0) return void (await ctx.reply(ctx.t("my-promotions-empty")));
    const kb = new InlineKeyboard();
    const shown = list.slice(0, 20);
    for (const p of shown) kb.text(`🗑 ${p.title.slice(0, 40)}`, promotionDelete.pack({ promotion: p.id })).row();
    const lines = shown.map((p) => ctx.t("my-promotion-line", { title: p.title, ...promotionDates(ctx.t("date-locale"), p.startsAt, p.endsAt) }));
    await ctx.reply([ctx.t("my-promotions", { count: list.length }), ...lines].join("\n"), { reply_markup: kb });
  });
  desk.callbackQuery(promotionDelete.pattern, async (ctx) => {
    const promotionId = asId(promotionDelete.unpack(ctx.callbackQuery.data)!.promotion);
    if (promotionId === null) return void (await ctx.answerCallbackQuery({ text: ctx.t("button-stale") }));
    const s = staffOf(ctx);
    const outcome = await attempt(() => deletePromotion(ctx.deps.db, { partnerId: s.partnerId, staffTelegramId: s.staffTelegramId, promotionId }));
    await ctx.answerCallbackQuery({ text: outcome.ok ? ctx.t("promo-deleted") : refusalText(ctx.t, outcome) });
  });
  desk.command("services", async (ctx) => {
    const list = await partnerServices(ctx.deps.db, staffOf(ctx).partnerId);
    if (list.length === 0) return void (await ctx.reply(ctx.t("my-services-empty")));
    const language = await ctx.i18n.getLocale();
    const lines = list.map((s) => ctx.t("my-service-line", { name: s.name, price: formatRubles(s.priceKopecks, language), status: ctx.t(`moderation-${s.status}`), reason: s.moderationReason ?? "" }));
    await ctx.reply(lines.join("\n").slice(0, 4_096));
  });

  // --- settings (owner changes them)
  desk.command("settings", (ctx) => showSettings(ctx, staffOf(ctx)));
  desk.callbackQuery(settingPick.pattern, async (ctx) => {
    const field = settingPick.unpack(ctx.callbackQuery.data)!.field;
    await ctx.answerCallbackQuery();
    if (!(settingFields as readonly string[]).includes(field) || staffOf(ctx).role !== "owner") return void (await ctx.reply(ctx.t("error-forbidden")));
    await ctx.conversation.enter("editSetting", staffOf(ctx), field);
  });

  // --- staff (owner invites and removes cashiers)
  desk.command("staff", async (ctx) => {
    const s = staffOf(ctx);
    const list = await listStaff(ctx.deps.db, s.partnerId);
    const lines = list.map((m) => ctx.t("staff-line", { id: m.telegramId, role: ctx.t(`role-${m.role}`) }));
    const kb = new InlineKeyboard();
    if (s.role === "owner") {
      kb.text(ctx.t("staff-invite"), staffInvite.pack({ go: 1 })).row();
      for (const m of list.filter((m) => m.role === "cashier")) kb.text(`🗑 ${m.telegramId}`, staffRemove.pack({ telegram: m.telegramId })).row();
    }
    await ctx.reply([ctx.t("staff-title"), ...lines].join("\n"), { reply_markup: kb });
  });
  desk.callbackQuery(staffInvite.pattern, async (ctx) => {
    const s = staffOf(ctx);
    if (s.role !== "owner") return void (await ctx.answerCallbackQuery({ text: ctx.t("error-forbidden") }));
    const token = randomCode(16);
    await ctx.deps.redis.set(staffInviteKey(token), JSON.stringify({ partnerId: s.partnerId, ownerTelegramId: s.staffTelegramId }), "EX", 24 * 60 * 60);
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t("staff-invite-link", { link: `https://t.me/${ctx.me.username}?start=staff_${token}` }));
  });
  desk.callbackQuery(staffRemove.pattern, async (ctx) => {
    const telegramId = asId(staffRemove.unpack(ctx.callbackQuery.data)!.telegram);
    if (telegramId === null) return void (await ctx.answerCallbackQuery({ text: ctx.t("button-stale") }));
    const s = staffOf(ctx);
    const outcome = await attempt(() => removeStaff(ctx.deps.db, { partnerId: s.partnerId, ownerTelegramId: s.staffTelegramId, telegramId }, ctx.deps.clock));
    await ctx.answerCallbackQuery({ text: outcome.ok ? ctx.t("staff-removed") : refusalText(ctx.t, outcome) });
  });

  desk.hears(inAllLanguages(i18n, "menu-more"), (ctx) => ctx.reply(ctx.t("help-staff"), { reply_markup: partnerMenu(ctx.t) }));
  desk.command("help", (ctx) => ctx.reply(ctx.t("help-staff"), { reply_markup: partnerMenu(ctx.t) }));
  desk.on("callback_query", (ctx) => ctx.answerCallbackQuery({ text: ctx.t("button-stale") }));
  desk.on("message", (ctx) => ctx.reply(ctx.t("help-staff"), { reply_markup: partnerMenu(ctx.t) }));
  return desk;
}
