import { InlineKeyboard } from "grammy";
import { broadcastAudienceSize, createBroadcast, requireBroadcastSender, type BroadcastSender } from "../../core/broadcasts/service.js";
import { customerCategories, rfmSegments } from "../../core/analytics/segments.js";
import type { Audience } from "../../db/schema/index.js";
import { hasVisibleCharacter, normalizeText } from "../../core/validation.js";
import { askButton, clearKeyboard, exitOnCancel } from "./ask.js";
import { attempt, refusalText } from "./attempt.js";
import { callbackData } from "../../telegram/callback-data.js";
import type { BotConversation, ConvContext } from "./context.js";

const audienceButton = callbackData("aud", ["who"]);
const sendButton = callbackData("bsend", ["answer"]);

/**
 * A broadcast, for an admin (the network) or a partner (its own clients): audience → text, or a photo with a
 * caption → a preview exactly as clients will see it, with the number of recipients → confirm → progress below.
 */
export async function broadcastConversation(conversation: BotConversation, ctx: ConvContext, sender: BroadcastSender) {
  // A partner's broadcasts are the owner's unless the owner allowed cashiers: say so before the questions.
  const allowed = await conversation.external(() => attempt(() => requireBroadcastSender(ctx.deps.db, sender)));
  if (!allowed.ok) return void (await ctx.reply(refusalText(ctx.t, allowed)));
  const keyboard = new InlineKeyboard().text(ctx.t("audience-all"), audienceButton.pack({ who: "all" })).row();
  rfmSegments.forEach((s, i) => {
    keyboard.text(ctx.t(`segment-${s.replaceAll("_", "-")}`), audienceButton.pack({ who: s }));
    if (i % 2 === 1) keyboard.row();
  });
  keyboard.row();
  for (const c of customerCategories) keyboard.text(ctx.t(`customers-${c}`).split(" (")[0]!, audienceButton.pack({ who: `c_${c}` }));
  const picked = await askButton(conversation, ctx, ctx.t("broadcast-audience"), keyboard, "aud:");
  const who = audienceButton.unpack(picked.data)?.who ?? "all";
  const audience: Audience = who === "all" ? {} : who.startsWith("c_") ? { category: who.slice(2) } : { segment: who };

  await ctx.reply(ctx.t("broadcast-ask-text"));
  let text: string;
  let photoFileId: string | null = null;
  for (;;) {
    const answer = await conversation.wait();
    await exitOnCancel(conversation, answer);
    const photo = answer.message?.photo;
    // The core's normalisation (a text of invisible characters is no text), so the step refuses what the core would.
    const body = normalizeText((photo ? answer.message?.caption : answer.message?.text) ?? "", "text");
    if (hasVisibleCharacter(body) && body.length <= 1_024 && !body.startsWith("/")) {
      text = body;
      photoFileId = photo ? photo[photo.length - 1]!.file_id : null;
      break;
    }
    if (answer.callbackQuery) await answer.answerCallbackQuery({ text: answer.t("button-stale") });
    else await answer.reply(answer.t(body && body.length > 1_024 ? "broadcast-too-long" : "broadcast-ask-text"));
  }

  const counted = await conversation.external(() => attempt(() => broadcastAudienceSize(ctx.deps.db, sender, audience)));
  if (!counted.ok) return void (await ctx.reply(refusalText(ctx.t, counted)));
  const count = counted.value;
  if (count === 0) return void (await ctx.reply(ctx.t("broadcast-nobody")));
  if (photoFileId) await ctx.replyWithPhoto(photoFileId, { caption: text });
  else await ctx.reply(text);
  const confirm = new InlineKeyboard().text(ctx.t("broadcast-send", { count }), sendButton.pack({ answer: "yes" })).text(ctx.t("decline"), sendButton.pack({ answer: "no" }));
  const decided = await askButton(conversation, ctx, ctx.t("broadcast-preview", { count }), confirm, "bsend:");
  await clearKeyboard(decided.ctx);
  if (sendButton.unpack(decided.data)?.answer !== "yes") return void (await decided.ctx.reply(decided.ctx.t("cancelled")));

  const chatId = decided.ctx.chat!.id;
  const progress = await decided.ctx.reply(decided.ctx.t("broadcast-starting", { count }));
  // The update that started this conversation and the confirming one are the same on every replay: a confirmation
  // replayed after a crash (the broadcast written, the conversation's state not yet saved) finds the broadcast it created.
  const senderKey = sender.kind === "partner" ? `p${sender.partnerId}:${sender.staffTelegramId}` : `a${sender.telegramId}`;
  const idempotencyKey = `broadcast:${senderKey}:${ctx.update.update_id}:${decided.ctx.update.update_id}`;
  const outcome = await conversation.external(() =>
    attempt(async () => {
      const b = await createBroadcast(ctx.deps.db, { sender, audience, text, photoFileId, progressChatId: chatId, progressMessageId: progress.message_id, idempotencyKey }, ctx.deps.clock);
      return { id: b.id, status: b.status, replayed: b.replayed, progressMessageId: b.progressMessageId };
    }),
  );
  if (!outcome.ok) return void (await decided.ctx.reply(refusalText(decided.ctx.t, outcome)));
  if (outcome.value.replayed) {
    // The first confirmation's message shows the progress; this one would stay at "0 of N" for ever.
    if (outcome.value.progressMessageId !== progress.message_id) await decided.ctx.api.editMessageText(chatId, progress.message_id, decided.ctx.t("broadcast-already-started"));
    return;
  }
  if (outcome.value.status === "awaiting_approval") await decided.ctx.reply(decided.ctx.t("broadcast-awaiting-approval"));
}
