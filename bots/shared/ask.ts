import { GrammyError } from "grammy";
import type { InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove } from "grammy/types";
import { checkText, line, normalizeText, type TextRule } from "../../core/validation.js";
import type { BotConversation, ConvContext } from "./context.js";

/** A parser turns the user's text into a value, or names the Fluent key of what is wrong with it. */
export type Parse<T> = (text: string) => { ok: true; value: T } | { ok: false; error: string; vars?: Record<string, string | number> };

export const maxAnswerLength = 1_000;

/**
 * Asks a question and waits until the answer parses. Anything else — a photo, a sticker, 5,000 characters,
 * a stale button — gets a clear localised answer and the question stands. `/cancel`, `/start`, the bot's own
 * commands and menu buttons leave the conversation (see {@link exitOnCancel}) with nothing written (everything
 * that writes happens after the last question).
 */
export async function ask<T>(
  conversation: BotConversation,
  ctx: ConvContext,
  question: string,
  parse: Parse<T>,
  options: { keyboard?: ReplyKeyboardMarkup | InlineKeyboardMarkup | ReplyKeyboardRemove; maxLength?: number } = {},
): Promise<T> {
  await ctx.reply(question, options.keyboard ? { reply_markup: options.keyboard } : {});
  const maxLength = options.maxLength ?? maxAnswerLength;
  for (;;) {
    const answer = await conversation.wait();
    await exitOnCancel(conversation, answer);
    if (answer.callbackQuery) {
      await answer.answerCallbackQuery({ text: answer.t("button-stale") });
      continue;
    }
    const text = answer.message?.text;
    if (text === undefined) {
      await answer.reply(answer.t("not-a-text"));
      continue;
    }
    if (text.length > maxLength) {
      await answer.reply(answer.t("too-long", { max: maxLength }));
      continue;
    }
    const parsed = parse(text.trim());
    if (parsed.ok) return parsed.value;
    await answer.reply(answer.t(parsed.error, parsed.vars));
  }
}

/**
 * Waits for one of the given inline buttons (by callback data prefix), pressed on this very question: a "Yes"
 * left on an older message (after /cancel, or from another flow) carries the same data and must not confirm
 * what is asked now. Anything else is answered and ignored.
 */
export async function askButton(conversation: BotConversation, ctx: ConvContext, question: string, keyboard: InlineKeyboardMarkup, prefix: string): Promise<{ data: string; ctx: ConvContext }> {
  const prompt = await ctx.reply(question, { reply_markup: keyboard });
  for (;;) {
    const answer = await conversation.wait();
    await exitOnCancel(conversation, answer);
    const data = answer.callbackQuery?.data;
    if (data?.startsWith(prefix) && answer.callbackQuery?.message?.message_id === prompt.message_id) {
      await answer.answerCallbackQuery();
      return { data, ctx: answer };
    }
    if (answer.callbackQuery) await answer.answerCallbackQuery({ text: answer.t("button-stale") });
    else await answer.reply(answer.t("use-the-buttons"));
  }
}

/** The command a message starts with ("/stats@my_bot 7" → "stats"), or null. */
export function commandOf(text: string | undefined): string | null {
  const m = /^\/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s|$)/.exec(text ?? "");
  return m ? m[1]!.toLowerCase() : null;
}

/**
 * Every step of every conversation passes each answer through this first, so a person can always get out:
 * - `/cancel` leaves; nothing has been written;
 * - `/start` leaves, and the bot's own `/start` answers (the menu; a new client's onboarding afresh);
 * - the bot's own commands and menu buttons (`/stats`, "➖ Списать") leave and do what they say, as a person expects
 *   (the bot lists them in `flowExits`);
 * - any other command is not an answer: the person is told so and how to leave, and the question stands.
 * Leaving says "Cancelled, nothing has changed" first, so a cashier knows the half-done operation was not made.
 */
export async function exitOnCancel(conversation: BotConversation, answer: ConvContext): Promise<void> {
  const text = answer.message?.text;
  const command = commandOf(text);
  if (command === "cancel" || command === "start") {
    await answer.reply(answer.t("cancelled"), { reply_markup: { remove_keyboard: true } });
    await conversation.halt({ next: command === "start" });
  }
  const exits = answer.flowExits;
  if (command !== null ? exits?.commands.has(command) : text !== undefined && exits?.labels.has(text)) {
    await answer.reply(answer.t("cancelled"));
    await conversation.halt({ next: true });
  }
  if (command !== null) {
    await answer.reply(answer.t("flow-unknown-command"));
    await conversation.skip();
  }
}

// ---- parsers

/**
 * Rubles as people type them: "1500", "1 500", "1500.50", "1500,5". At most 10,000,000 ₽, more than zero: a barcode
 * scanned into the field (20 digits) is "too large", not "not a positive amount". Returns kopecks.
 */
export const parseRubles: Parse<number> = (text) => {
  const cleaned = normalizeText(text).replace(/[\s₽]|руб\.?|rub\.?/gi, "");
  const m = /^(\d+)(?:[.,](\d{1,2}))?$/.exec(cleaned);
  if (!m) return { ok: false, error: "amount-invalid" };
  if (m[1]!.replace(/^0+/, "").length > 8) return { ok: false, error: "amount-too-large" };
  const kopecks = Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
  if (kopecks <= 0) return { ok: false, error: "amount-invalid" };
  if (kopecks > 1_000_000_000) return { ok: false, error: "amount-too-large" };
  return { ok: true, value: kopecks };
};

export const parsePositiveInt =
  (max: number): Parse<number> =>
  (raw): ReturnType<Parse<number>> => {
    const text = normalizeText(raw);
    if (!/^\d+$/.test(text)) return { ok: false, error: "number-invalid" };
    const n = text.replace(/^0+/, "").length > 15 ? Number.POSITIVE_INFINITY : Number(text);
    if (n <= 0 || n > max) return { ok: false, error: "number-out-of-range", vars: { max } };
    return { ok: true, value: n };
  };

/**
 * Free text checked by the core's own rule (`receiptNumberRule`, `applicationRules.name`…): normalised by the same
 * function the core applies (`normalizeText`), so a step refuses exactly what the core would refuse at the end, and
 * the value passed on is the one the core stores. Text of nothing but invisible characters is refused.
 */
export const parseText =
  (rule: TextRule): Parse<string> =>
  (text): ReturnType<Parse<string>> => {
    const checked = checkText(text, rule);
    if (!checked.ok) {
      if (checked.problem === "too-short") return { ok: false, error: "text-too-short", vars: { min: checked.min } };
      if (checked.problem === "too-long") return { ok: false, error: "too-long", vars: { max: checked.max } };
      return { ok: false, error: checked.problem === "invisible" ? "text-invisible" : "text-control" };
    }
    if (checked.value.startsWith("/")) return { ok: false, error: "not-a-command" };
    return { ok: true, value: checked.value };
  };

/** One line of free text, `min`–`max` characters after normalisation. */
export const parseLine = (min: number, max: number): Parse<string> => parseText(line(min, max));

/**
 * Removes the inline keyboard from the message a button was pressed on. Best effort: Telegram refuses the edit
 * with 400 "message is not modified" when the keyboard is already gone (a second press, a stale button), and that
 * must not turn a correct answer into "something went wrong".
 */
export async function clearKeyboard(ctx: ConvContext): Promise<void> {
  try {
    await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } });
  } catch (err) {
    if (!(err instanceof GrammyError && err.error_code === 400)) throw err;
  }
}
