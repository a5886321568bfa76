import type { I18n } from "@grammyjs/i18n";
import { Composer } from "grammy";
import { networkServices } from "../../../core/catalog/service.js";
import { currentPromotions } from "../../../core/promotions/service.js";
import { formatRubles } from "../../shared/ask.js";
import type { BaseContext, BotContext } from "../../shared/context.js";
import { inAllLanguages } from "../../shared/i18n.js";

/** What the network offers: current promotions and approved services of approved partners. */
export function networkFeature(i18n: I18n<BaseContext>) {
  const feature = new Composer<BotContext>();
  const showPromotions = async (ctx: BotContext) => {
    const list = await currentPromotions(ctx.deps.db, ctx.deps.clock, 20);
    if (list.length === 0) return void (await ctx.reply(ctx.t("promotions-empty")));
    const text = list.map((p) => ctx.t("promotion-line", { partner: p.partnerName, title: p.title, body: p.body })).join("\n\n");
    await ctx.reply(`${ctx.t("promotions-title")}\n\n${text}`.slice(0, 4_096));
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
