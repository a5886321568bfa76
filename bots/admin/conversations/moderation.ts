import { moderateBroadcast } from "../../../core/broadcasts/service.js";
import { moderateService } from "../../../core/catalog/service.js";
import { moderateApplication } from "../../../core/partners/service.js";
import { reasonRule } from "../../../core/moderation.js";
import { ask, parseText } from "../../shared/ask.js";
import { attempt, refusalText } from "../../shared/attempt.js";
import type { BotConversation, ConvContext } from "../../shared/context.js";

/** A rejection needs a reason the applicant will read. */
export async function rejectWithReason(conversation: BotConversation, ctx: ConvContext, kind: "p" | "s" | "b", id: number) {
  const reason = await ask(conversation, ctx, ctx.t("ask-reject-reason"), parseText(reasonRule), { maxLength: 500 });
  const adminTelegramId = ctx.from!.id;
  const verdict = { decision: "reject" as const, reason };
  const outcome = await conversation.external(() =>
    attempt(async () => {
      if (kind === "p") await moderateApplication(ctx.deps.db, { adminTelegramId, partnerId: id, verdict }, ctx.deps.clock);
      else if (kind === "s") await moderateService(ctx.deps.db, { adminTelegramId, serviceId: id, verdict }, ctx.deps.clock);
      else await moderateBroadcast(ctx.deps.db, { adminTelegramId, broadcastId: id, verdict }, ctx.deps.clock);
    }),
  );
  await ctx.reply(outcome.ok ? ctx.t("rejected", { reason }) : refusalText(ctx.t, outcome));
}
