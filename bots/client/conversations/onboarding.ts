import { Keyboard } from "grammy";
import { registerClient, type RegisterResult } from "../../../core/clients/service.js";
import { isDomainError } from "../../../core/errors.js";
import { chooseLanguage, isLanguage } from "../../../core/users/service.js";
import { askButton, exitOnCancel } from "../../shared/ask.js";
import type { BotConversation, ConvContext } from "../../shared/context.js";
import { languageButton, languageKeyboard } from "../../shared/language.js";
import { mainMenu } from "../keyboards.js";
import { offerMyCard } from "../web-app.js";

/**
 * A new client: language, then (optionally) the phone through Telegram's contact button, then registration with
 * the welcome bonus. `startPayload` is the `/start` payload that brought them (`p_…` partner, `r_…` friend).
 */
export async function onboarding(conversation: BotConversation, ctx: ConvContext, startPayload: string | null) {
  const picked = await askButton(conversation, ctx, ctx.t("language-prompt"), languageKeyboard(), "lang:");
  const language = languageButton.unpack(picked.data)?.language;
  const lang = isLanguage(language) ? language : "ru";
  const from = picked.ctx.from!;
  await conversation.external(() => chooseLanguage(ctx.deps.db, from.id, lang));
  picked.ctx.i18n.useLocale(lang);
  let t = picked.ctx.t;

  const phoneKeyboard = new Keyboard().requestContact(t("share-phone")).row().text(t("skip-phone")).resized().oneTime();
  await picked.ctx.reply(t("ask-phone"), { reply_markup: phoneKeyboard });
  let phone: string | null = null;
  for (;;) {
    const answer = await conversation.wait();
    await exitOnCancel(conversation, answer);
    t = answer.t;
    const contact = answer.message?.contact;
    if (contact) {
      if (contact.user_id !== answer.from?.id) {
        await answer.reply(t("phone-not-yours"));
        continue;
      }
      phone = contact.phone_number;
      break;
    }
    if (answer.message?.text === t("skip-phone")) break;
    if (answer.callbackQuery) await answer.answerCallbackQuery({ text: t("button-stale") });
    else await answer.reply(t("ask-phone-again"), { reply_markup: phoneKeyboard });
  }

  const register = (withPhone: string | null) =>
    registerClient(ctx.deps.db, { telegramId: from.id, firstName: from.first_name, username: from.username ?? null, language: lang, phone: withPhone, startPayload }, { appSecret: ctx.deps.appSecret, clock: ctx.deps.clock });
  // Only plain data leaves `external` (it is stored and replayed): the bonus and whether the phone was someone else's.
  const result = await conversation.external(async (): Promise<{ welcomeBonus: number; phoneTaken: boolean }> => {
    const summary = (r: RegisterResult, phoneTaken: boolean) => ({ welcomeBonus: r.welcomeBonus, phoneTaken });
    try {
      return summary(await register(phone), false);
    } catch (err) {
      // Someone else's number: join without it rather than not at all.
      if (isDomainError(err, "PHONE_TAKEN")) return summary(await register(null), true);
      throw err;
    }
  });
  if (result.phoneTaken) await ctx.reply(t("error-phone-taken"));
  const welcome = result.welcomeBonus > 0 ? t("welcome-bonus", { points: result.welcomeBonus }) : t("welcome-back");
  await ctx.reply(welcome, { reply_markup: mainMenu(t) });
  await offerMyCard(ctx, t);
}
