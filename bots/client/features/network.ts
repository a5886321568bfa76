import type { I18n } from "@grammyjs/i18n";
import { Composer } from "grammy";
import { networkServices } from "../../../core/catalog/service.js";
import { findClient } from "../../../core/clients/service.js";
import { currentPromotions } from "../../../core/promotions/service.js";
import { enqueue } from "../../../core/jobs/outbox.js";
import { promotionDates } from "../../shared/promotion-dates.js";
import { formatRubles } from "../../shared/ask.js";
import type { BaseContext, BotContext } from "../../shared/context.js";
import { inAllLanguages } from "../../shared/i18n.js";

const maxPromotionsShown = 10;
const maxCaptionLength = 1_024;
const maxTextLength = 4_096;

/** Where the client bot's own file id of a promotion's picture is kept once the worker has uploaded it. */
export const promotionPhotoKey = (promotionId: number) => `promotion-photo:client:${promotionId}`;

/** A promotion as clients read it: partner and title, first and last day, text (cut to fit `maxLength`). */
export function promotionCard(
  t: BaseContext["t"],
  p: { partnerName: string; title: string; body: string; startsAt: Date; endsAt: Date },
  maxLength: number,
): string {
  const vars = { partner: p.partnerName, title: p.title, ...promotionDates(t("date-locale"), p.startsAt, p.endsAt) };
  const head = t("promotion-card", { ...vars, body: "" });
  const room = maxLength - head.length;
  const body = p.body.length <= room ? p.body : `${p.body.slice(0, Math.max(0, room - 1))}…`;
  return t("promotion-card", { ...vars, body });
}

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
