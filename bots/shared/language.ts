import { Composer, InlineKeyboard, type Keyboard } from "grammy";
import { chooseLanguage, isLanguage } from "../../core/users/service.js";
import { callbackData } from "../../telegram/callback-data.js";
import type { BaseContext, BotContext } from "./context.js";

export const languageButton = callbackData("lang", ["language"]);

export const languageKeyboard = () =>
  new InlineKeyboard().text("🇷🇺 Русский", languageButton.pack({ language: "ru" })).text("🇬🇧 English", languageButton.pack({ language: "en" }));

/**
 * `/language` in every bot: the choice is stored in Postgres (one per person, for all bots) and used from the
 * next message on. `menu` gives the bot's reply keyboard in the new language, if it has one for this user.
 */
export function languageFeature(menu: (ctx: BaseContext) => Keyboard | undefined = () => undefined) {
  const feature = new Composer<BotContext>();
  feature.command("language", (ctx) => ctx.reply(ctx.t("language-prompt"), { reply_markup: languageKeyboard() }));
  feature.callbackQuery(languageButton.pattern, async (ctx) => {
    const language = languageButton.unpack(ctx.callbackQuery.data)!.language;
    if (!isLanguage(language)) return void (await ctx.answerCallbackQuery({ text: ctx.t("button-stale") }));
    await chooseLanguage(ctx.deps.db, ctx.from.id, language);
    ctx.i18n.useLocale(language);
    await ctx.answerCallbackQuery();
    const keyboard = menu(ctx);
    await ctx.reply(ctx.t("language-set"), keyboard ? { reply_markup: keyboard } : {});
  });
  return feature;
}
