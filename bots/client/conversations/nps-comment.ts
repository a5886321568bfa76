import { addRatingComment, ratingCommentRule } from "../../../core/feedback/service.js";
import { findClient } from "../../../core/clients/service.js";
import { ask, parseText } from "../../shared/ask.js";
import type { BotConversation, ConvContext } from "../../shared/context.js";

/** After a low score: "what went wrong?" — the answer is forwarded to the partner. /cancel skips it. */
export async function npsComment(conversation: BotConversation, ctx: ConvContext, ratingId: number) {
  const comment = await ask(conversation, ctx, ctx.t("nps-ask-comment"), parseText(ratingCommentRule), { maxLength: 1_000 });
  const telegramId = ctx.from!.id;
  await conversation.external(async () => {
    const client = await findClient(ctx.deps.db, { telegramId });
    if (client) await addRatingComment(ctx.deps.db, { clientId: client.id, ratingId, comment }, ctx.deps.clock);
  });
  await ctx.reply(ctx.t("nps-comment-thanks"));
}
