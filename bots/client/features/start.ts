import { Composer } from "grammy";
import { findClient } from "../../../core/clients/service.js";
import type { BotContext } from "../../shared/context.js";
import { mainMenu } from "../keyboards.js";
import { offerMyCard } from "../web-app.js";

export const startFeature = new Composer<BotContext>();

/** `/start [p_…|r_…]`: a new person goes through onboarding; a known client sees the menu (a link never rebinds them). */
startFeature.command("start", async (ctx) => {
  const client = await findClient(ctx.deps.db, { telegramId: ctx.from!.id });
  if (client) {
    await ctx.reply(ctx.t("welcome-known"), { reply_markup: mainMenu(ctx.t) });
    await offerMyCard(ctx, ctx.t);
    return;
  }
  const payload = ctx.match.trim();
  await ctx.conversation.enter("onboarding", payload.length > 0 ? payload.slice(0, 64) : null);
});

startFeature.command("help", (ctx) => ctx.reply(ctx.t("help"), { reply_markup: mainMenu(ctx.t) }));
startFeature.command("cancel", (ctx) => ctx.reply(ctx.t("nothing-to-cancel")));
