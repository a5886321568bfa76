import type { I18n } from "@grammyjs/i18n";
import { Composer } from "grammy";
import { networkServices } from "../../../core/catalog/service.js";
import { findClient } from "../../../core/clients/service.js";
import { currentPromotions } from "../../../core/promotions/service.js";
import { enqueue } from "../../../core/jobs/outbox.js";
import { formatRubles } from "../../../telegram/money.js";
import { promotionCard, promotionPhotoKey } from "../../../telegram/promotion-card.js";
import type { BaseContext, BotContext } from "../../shared/context.js";
import { inAllLanguages } from "../../../telegram/i18n.js";

const maxPromotionsShown = 10;
const maxCaptionLength = 1_024;
const maxTextLength = 4_096;

/** What the network offers: current promotions and approved services of approved partners. */
export function networkFeature(i18n: I18n<BaseContext>) {
  const feature = new Composer<BotContext>();
  /**
   * Each promotion running today, one message each: its partner, title, dates and text, with its picture if it has
   * one. The picture is sent by the client bot's own file id once it has one; until then (file ids belong to one
   * bot) the worker sends that promotion's card, uploading the partner bot's photo to the client bot once.
   */
  const showPromotions = async (ctx: BotContext) => {
    const list = await currentPromotions(ctx.deps.db, ctx.deps.clock, maxPromotionsShown);
    if (list.length === 0) return void (await ctx.reply(ctx.t("promotions-empty")));
    await ctx.reply(ctx.t("promotions-title"));
    const client = ctx.from ? await findClient(ctx.deps.db, { telegramId: ctx.from.id }) : null;
    for (const p of list) {
      const clientCopy = p.imageFileId ? await ctx.deps.redis.get(promotionPhotoKey(p.id)) : null;
      if (clientCopy) await ctx.replyWithPhoto(clientCopy, { caption: promotionCard(ctx.t, p, maxCaptionLength) });
      else if (p.imageFileId && client) await enqueue(ctx.deps.db, "promotion.show", { promotionId: p.id, clientId: client.id });
      else await ctx.reply(promotionCard(ctx.t, p, maxTextLength));
    }
  };
  const showServices = async (ctx: BotContext) => {
    const list = await networkServices(ctx.deps.db, 30);
    if (list.length === 0) return void (await ctx.reply(ctx.t("services-empty")));
    const language = await ctx.i18n.getLocale();
    const text = list.map((s) => ctx.t("service-line", { partner: s.partnerName, name: s.name, price: formatRubles(s.priceKopecks, language), description: s.description })).join("\n\n");
    await ctx.reply(`${ctx.t("services-title")}\n\n${text}`.slice(0, 4_096));
  };
  feature.command("promotions", showPromotions);
  feature.hears(inAllLanguages(i18n, "menu-promotions"), showPromotions);
  feature.command("services", showServices);
  feature.hears(inAllLanguages(i18n, "menu-services"), showServices);
  return feature;
}
