import { Composer, InlineKeyboard, InputFile } from "grammy";
import QRCode from "qrcode";
import { clientHistory, clientSummary, findClient, type Client } from "../../../core/clients/service.js";
import type { BaseContext, BotContext } from "../../shared/context.js";
import { asId } from "../../../telegram/callback-data.js";
import { inAllLanguages } from "../../../telegram/i18n.js";
import type { I18n } from "@grammyjs/i18n";
import { historyPage } from "../keyboards.js";
import { clientCodeTtlSeconds, issueClientCode } from "../../../core/clients/codes.js";
import { myCardKeyboard } from "../web-app.js";

/** The client of this Telegram user, or a hint to /start first (null). */
export async function requireClient(ctx: BaseContext): Promise<Client | null> {
  const client = ctx.from ? await findClient(ctx.deps.db, { telegramId: ctx.from.id }) : null;
  if (client?.status === "blocked") {
    await ctx.reply(ctx.t("account-blocked"));
    return null;
  }
  if (!client) {
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t("please-start") });
    else await ctx.reply(ctx.t("please-start"));
  }
  return client;
}

export function accountFeature(i18n: I18n<BaseContext>) {
  const feature = new Composer<BotContext>();

  const showBalance = async (ctx: BotContext) => {
    const client = await requireClient(ctx);
    if (!client) return;
    const s = await clientSummary(ctx.deps.db, client.id, ctx.deps.clock);
    const lines = [ctx.t("balance", { points: s.balance }), ctx.t("tier-line", { tier: ctx.t(`tier-${s.tier}`), earned: s.earned })];
    if (s.nextTier && s.pointsToNext !== null) lines.push(ctx.t("tier-next", { tier: ctx.t(`tier-${s.nextTier}`), points: s.pointsToNext }));
    else lines.push(ctx.t("tier-top"));
    const keyboard = myCardKeyboard(ctx.deps, ctx.t);
    await ctx.reply(lines.join("\n"), keyboard ? { reply_markup: keyboard } : {});
  };
  feature.command("balance", showBalance);
  feature.hears(inAllLanguages(i18n, "menu-balance"), showBalance);

  const renderHistory = async (ctx: BotContext, clientId: number, beforeId: number | null) => {
    const page = await clientHistory(ctx.deps.db, { clientId, limit: 10, beforeId });
    if (page.entries.length === 0) return { text: ctx.t("history-empty"), keyboard: undefined };
    const dateFormat = new Intl.DateTimeFormat(ctx.t("date-locale"), { day: "2-digit", month: "2-digit", year: "numeric", timeZone: "Europe/Moscow" });
    const lines = page.entries.map((e) =>
      ctx.t("history-line", {
        date: dateFormat.format(e.createdAt),
        kind: ctx.t(`ledger-${e.kind.replaceAll("_", "-")}`),
        points: e.points > 0 ? `+${e.points}` : String(e.points),
        partner: e.partnerName ?? "—",
      }),
    );
    const keyboard = page.nextBeforeId ? new InlineKeyboard().text(ctx.t("history-older"), historyPage.pack({ before: page.nextBeforeId })) : undefined;
    return { text: [ctx.t("history-title"), ...lines].join("\n"), keyboard };
  };

  const showHistory = async (ctx: BotContext) => {
    const client = await requireClient(ctx);
    if (!client) return;
    const { text, keyboard } = await renderHistory(ctx, client.id, null);
    await ctx.reply(text, keyboard ? { reply_markup: keyboard } : {});
  };
  feature.command("history", showHistory);
  feature.hears(inAllLanguages(i18n, "menu-history"), showHistory);
  feature.callbackQuery(historyPage.pattern, async (ctx) => {
    const client = await requireClient(ctx);
    if (!client) return;
    const before = asId(historyPage.unpack(ctx.callbackQuery.data)!.before);
    const { text, keyboard } = await renderHistory(ctx, client.id, before);
    await ctx.answerCallbackQuery();
    await ctx.reply(text, keyboard ? { reply_markup: keyboard } : {});
  });

  /** A one-time code to show at the till instead of the phone. */
  feature.command("code", async (ctx) => {
    const client = await requireClient(ctx);
    if (!client) return;
    const code = await issueClientCode(ctx.deps.redis, client.id);
    await ctx.reply(ctx.t("client-code", { code, minutes: clientCodeTtlSeconds / 60 }));
  });

  const showInvite = async (ctx: BotContext) => {
    const client = await requireClient(ctx);
    if (!client) return;
    const link = `https://t.me/${ctx.me.username}?start=r_${client.referralCode}`;
    const png = await QRCode.toBuffer(link, { type: "png", width: 512, margin: 2, errorCorrectionLevel: "M" });
    await ctx.replyWithPhoto(new InputFile(png, "invite-qr.png"), { caption: ctx.t("invite", { link, code: client.referralCode }) });
  };
  feature.command("invite", showInvite);
  feature.hears(inAllLanguages(i18n, "menu-invite"), showInvite);
  return feature;
}
