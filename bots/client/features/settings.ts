import type { I18n } from "@grammyjs/i18n";
import { Composer, InlineKeyboard } from "grammy";
import { deleteClientData } from "../../../core/clients/service.js";
import { balanceOf } from "../../../core/ledger/post.js";
import { chooseLanguage, isLanguage } from "../../../core/users/service.js";
import type { BaseContext, BotContext } from "../../shared/context.js";
import { inAllLanguages } from "../../shared/i18n.js";
import { deleteAnswer, languageButton, languageKeyboard, mainMenu } from "../keyboards.js";
import { requireClient } from "./account.js";

export function settingsFeature(i18n: I18n<BaseContext>) {
  const feature = new Composer<BotContext>();

  const askLanguage = (ctx: BotContext) => ctx.reply(ctx.t("language-prompt"), { reply_markup: languageKeyboard() });
  feature.command("language", askLanguage);
  feature.hears(inAllLanguages(i18n, "menu-language"), askLanguage);
  feature.callbackQuery(languageButton.pattern, async (ctx) => {
    const language = languageButton.unpack(ctx.callbackQuery.data)!.language;
    if (!isLanguage(language)) return void (await ctx.answerCallbackQuery({ text: ctx.t("button-stale") }));
    await chooseLanguage(ctx.deps.db, ctx.from.id, language);
    ctx.i18n.useLocale(language);
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t("language-set"), { reply_markup: mainMenu(ctx.t) });
  });

  /** "Delete my data": asks first, says what is lost, then erases. */
  feature.command("delete_me", async (ctx) => {
    const client = await requireClient(ctx);
    if (!client) return;
    const points = await balanceOf(ctx.deps.db, client.id);
    const keyboard = new InlineKeyboard().text(ctx.t("delete-yes"), deleteAnswer.pack({ answer: "yes" })).text(ctx.t("delete-no"), deleteAnswer.pack({ answer: "no" }));
    await ctx.reply(ctx.t("delete-confirm", { points }), { reply_markup: keyboard });
  });
  feature.callbackQuery(deleteAnswer.pattern, async (ctx) => {
    const answer = deleteAnswer.unpack(ctx.callbackQuery.data)!.answer;
    await ctx.answerCallbackQuery();
    if (answer !== "yes") return void (await ctx.editMessageText(ctx.t("delete-kept")));
    const client = await requireClient(ctx);
    if (!client) return void (await ctx.editMessageText(ctx.t("delete-done")));
    await deleteClientData(ctx.deps.db, { clientId: client.id }, ctx.deps.clock);
    await ctx.editMessageText(ctx.t("delete-done"));
    await ctx.reply(ctx.t("delete-bye"), { reply_markup: { remove_keyboard: true } });
  });
  return feature;
}
