import type { I18n } from "@grammyjs/i18n";
import { Composer, InlineKeyboard, Keyboard } from "grammy";
import { attachPhone, deleteClientData, findClient } from "../../../core/clients/service.js";
import { balanceOf } from "../../../core/ledger/post.js";
import type { BaseContext, BotContext } from "../../shared/context.js";
import { forgetClientInRedis } from "../../shared/erasure.js";
import { inAllLanguages } from "../../../telegram/i18n.js";
import { languageFeature, languageKeyboard } from "../../shared/language.js";
import { deleteAnswer, mainMenu } from "../keyboards.js";
import { requireClient } from "./account.js";

export function settingsFeature(i18n: I18n<BaseContext>) {
  const feature = new Composer<BotContext>();

  feature.use(languageFeature((ctx) => mainMenu(ctx.t)));
  feature.hears(inAllLanguages(i18n, "menu-language"), (ctx) => ctx.reply(ctx.t("language-prompt"), { reply_markup: languageKeyboard() }));

  /** Sharing the phone later: stored, and if a cashier had registered it, that row's points and history become theirs. */
  feature.command("phone", async (ctx) => {
    const client = await requireClient(ctx);
    if (!client) return;
    await ctx.reply(ctx.t("phone-ask"), { reply_markup: new Keyboard().requestContact(ctx.t("share-phone")).resized().oneTime() });
  });
  feature.on("message:contact", async (ctx) => {
    const client = await requireClient(ctx);
    if (!client) return;
    if (ctx.message.contact.user_id !== ctx.from.id) return void (await ctx.reply(ctx.t("phone-not-yours")));
    const { mergedClientId } = await attachPhone(ctx.deps.db, { clientId: client.id, phone: ctx.message.contact.phone_number }, ctx.deps.clock);
    const balance = await balanceOf(ctx.deps.db, client.id);
    await ctx.reply(ctx.t(mergedClientId === null ? "phone-saved" : "phone-saved-merged", { balance }), { reply_markup: mainMenu(ctx.t) });
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
    const person = await findClient(ctx.deps.db, { telegramId: ctx.from.id });
    // Blocked after the question was asked: a blocked account is not erased by its owner (requireClient says why).
    if (person?.status === "blocked") return void (await requireClient(ctx));
    const client = await requireClient(ctx);
    if (!client) {
      // Already deleted (e.g. a crash after the database half): the Redis half again, by the Telegram id.
      await forgetClientInRedis(ctx.deps.redis, { clientId: null, telegramId: ctx.from.id, phone: null });
      return void (await ctx.editMessageText(ctx.t("delete-done")));
    }
    await deleteClientData(ctx.deps.db, { clientId: client.id }, { appSecret: ctx.deps.appSecret, clock: ctx.deps.clock });
    await forgetClientInRedis(ctx.deps.redis, { clientId: client.id, telegramId: ctx.from.id, phone: client.phone });
    await ctx.editMessageText(ctx.t("delete-done"));
    await ctx.reply(ctx.t("delete-bye"), { reply_markup: { remove_keyboard: true } });
  });
  return feature;
}
