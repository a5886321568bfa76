import { serviceDescriptionRule, serviceNameRule, submitService } from "../../../core/catalog/service.js";
import { InlineKeyboard } from "grammy";
import { maxPromotionDays, parsePromotionPeriod } from "../../../core/promotions/period.js";
import { createPromotion, promotionBodyRule, promotionTitleRule } from "../../../core/promotions/service.js";
import { ask, exitOnCancel, parseRubles, parseText, type Parse } from "../../shared/ask.js";
import { callbackData } from "../../../telegram/callback-data.js";
import { promotionDates } from "../../../telegram/promotion-dates.js";
import { attempt, refusalText } from "../../shared/attempt.js";
import type { BotConversation, ConvContext, StaffActor } from "../../shared/context.js";

const promoPhotoButton = callbackData("promopic", ["answer"]);

/** The period as the partner types it ("01.12–31.12", "01.12.2026 - 31.12.2026", one date: until then), checked. */
const parsePeriod =
  (now: Date): Parse<{ startsAt: number; endsAt: number }> =>
  (text) => {
    const parsed = parsePromotionPeriod(text, now);
    if (!parsed.ok) return { ok: false, error: `promo-period-${parsed.reason}`, vars: { days: maxPromotionDays } };
    return { ok: true, value: { startsAt: parsed.value.startsAt.getTime(), endsAt: parsed.value.endsAt.getTime() } };
  };

/**
 * A new promotion: title, text, period (start and end dates), an optional picture (or Skip). Clients see it from
 * its first day to its last. The photo is kept as the partner bot knows it; the client bot gets its own copy the
 * first time the promotion is shown to a client (see worker/promotion.ts).
 */
export async function newPromotion(conversation: BotConversation, ctx: ConvContext, staff: StaffActor) {
  const title = await ask(conversation, ctx, ctx.t("promo-title"), parseText(promotionTitleRule), { maxLength: 100 });
  const body = await ask(conversation, ctx, ctx.t("promo-body"), parseText(promotionBodyRule), { maxLength: 2_000 });
  const now = new Date(await conversation.now());
  const period = await ask(conversation, ctx, ctx.t("promo-period", { days: maxPromotionDays }), parsePeriod(now));

  const prompt = await ctx.reply(ctx.t("promo-photo"), { reply_markup: new InlineKeyboard().text(ctx.t("promo-photo-skip"), promoPhotoButton.pack({ answer: "skip" })) });
  let imageFileId: string | null = null;
  for (;;) {
    const answer = await conversation.wait();
    await exitOnCancel(conversation, answer);
    const photo = answer.message?.photo;
    if (photo && photo.length > 0) {
      imageFileId = photo[photo.length - 1]!.file_id;
      break;
    }
    if (answer.callbackQuery?.data?.startsWith("promopic:") && answer.callbackQuery.message?.message_id === prompt.message_id) {
      await answer.answerCallbackQuery();
      break;
    }
    if (answer.callbackQuery) await answer.answerCallbackQuery({ text: answer.t("button-stale") });
    else await answer.reply(answer.t("promo-photo-expected"));
  }
  await ctx.api.editMessageReplyMarkup(prompt.chat.id, prompt.message_id, { reply_markup: { inline_keyboard: [] } }).catch(() => undefined);

  // The update that started the conversation is the same on every replay: a step replayed after a crash (the
  // promotion written, the conversation's state not yet saved) finds the promotion instead of creating another.
  const idempotencyKey = `newpromo:${staff.partnerId}:${staff.staffTelegramId}:${ctx.update.update_id}`;
  const outcome = await conversation.external(() =>
    attempt(async () => {
      const p = await createPromotion(
        ctx.deps.db,
        { partnerId: staff.partnerId, staffTelegramId: staff.staffTelegramId, title, body, startsAt: new Date(period.startsAt), endsAt: new Date(period.endsAt), imageFileId, idempotencyKey },
        ctx.deps.clock,
      );
      return p.id;
    }),
  );
  if (!outcome.ok) return void (await ctx.reply(refusalText(ctx.t, outcome)));
  const dates = promotionDates(ctx.t("date-locale"), new Date(period.startsAt), new Date(period.endsAt));
  await ctx.reply(ctx.t(imageFileId ? "promo-created-with-photo" : "promo-created", { title, ...dates }));
}

/** A new service: name, price, description; it waits for an admin's approval before clients see it. */
export async function newService(conversation: BotConversation, ctx: ConvContext, staff: StaffActor) {
  const name = await ask(conversation, ctx, ctx.t("service-name"), parseText(serviceNameRule), { maxLength: 100 });
  const priceKopecks = await ask(conversation, ctx, ctx.t("service-price"), parseRubles);
  const description = await ask(conversation, ctx, ctx.t("service-description"), parseText(serviceDescriptionRule), { maxLength: 1_000 });
  const outcome = await conversation.external(() =>
    attempt(async () => (await submitService(ctx.deps.db, { partnerId: staff.partnerId, staffTelegramId: staff.staffTelegramId, name, description, priceKopecks }, ctx.deps.clock)).id),
  );
  await ctx.reply(outcome.ok ? ctx.t("service-submitted", { name }) : refusalText(ctx.t, outcome));
}
