import { InlineKeyboard, Keyboard } from "grammy";
import { normalizePhone } from "../../../core/clients/phone.js";
import { staffMemberships } from "../../../core/partners/access.js";
import { applicationRules, submitApplication } from "../../../core/partners/service.js";
import { clearKeyboard, ask, askButton, exitOnCancel, parseText, type Parse } from "../../shared/ask.js";
import { attempt, refusalText } from "../../shared/attempt.js";
import type { BotConversation, ConvContext } from "../../shared/context.js";
import { categories, categoryButton, confirmButton, yesNo } from "../keyboards.js";

const parsePhone: Parse<string> = (text) => {
  try {
    return { ok: true, value: normalizePhone(text) };
  } catch {
    return { ok: false, error: "phone-invalid" };
  }
};

/**
 * A business applies: name, category, address, contact person, phone; then admins are told at once. One application
 * waits at a time (the core refuses a second): someone whose application is pending is told so before the form.
 */
export async function apply(conversation: BotConversation, ctx: ConvContext) {
  const applicant = ctx.from!.id;
  const pending = await conversation.external(async () => (await staffMemberships(ctx.deps.db, applicant)).some((m) => m.role === "owner" && m.partnerStatus === "pending"));
  if (pending) return void (await ctx.reply(ctx.t("application-pending")));
  const name = await ask(conversation, ctx, ctx.t("apply-name"), parseText(applicationRules.name), { maxLength: 100 });
  const categoryKeyboard = new InlineKeyboard();
  categories.forEach((c, i) => {
    categoryKeyboard.text(ctx.t(`category-${c}`), categoryButton.pack({ category: c }));
    if (i % 2 === 1) categoryKeyboard.row();
  });
  const picked = await askButton(conversation, ctx, ctx.t("apply-category"), categoryKeyboard, "cat:");
  const category = categoryButton.unpack(picked.data)?.category ?? "other";
  const address = await ask(conversation, ctx, ctx.t("apply-address"), parseText(applicationRules.address), { maxLength: 200 });
  const contactName = await ask(conversation, ctx, ctx.t("apply-contact"), parseText(applicationRules.contactName), { maxLength: 100 });

  const phoneKeyboard = new Keyboard().requestContact(ctx.t("share-phone")).resized().oneTime();
  await ctx.reply(ctx.t("apply-phone"), { reply_markup: phoneKeyboard });
  let phone: string;
  for (;;) {
    const answer = await conversation.wait();
    await exitOnCancel(conversation, answer);
    const text = answer.message?.contact?.phone_number ?? answer.message?.text;
    const parsed = text !== undefined && text.length <= 32 ? parsePhone(text) : ({ ok: false, error: "phone-invalid" } as const);
    if (parsed.ok) {
      phone = parsed.value;
      break;
    }
    if (answer.callbackQuery) await answer.answerCallbackQuery({ text: answer.t("button-stale") });
    else await answer.reply(answer.t("phone-invalid"));
  }

  const summary = ctx.t("apply-summary", { name, category: ctx.t(`category-${category}`), address, contact: contactName, phone });
  const { data, ctx: answer } = await askButton(conversation, ctx, summary, yesNo(ctx.t), "ok:");
  await clearKeyboard(answer);
  if (confirmButton.unpack(data)?.answer !== "yes") return void (await answer.reply(answer.t("cancelled"), { reply_markup: { remove_keyboard: true } }));
  const telegramId = ctx.from!.id;
  const outcome = await conversation.external(() =>
    attempt(async () => (await submitApplication(ctx.deps.db, { telegramId, name, category, address, contactName, phone }, ctx.deps.clock)).id),
  );
  if (!outcome.ok) return void (await answer.reply(refusalText(answer.t, outcome), { reply_markup: { remove_keyboard: true } }));
  await answer.reply(answer.t("apply-sent"), { reply_markup: { remove_keyboard: true } });
}
