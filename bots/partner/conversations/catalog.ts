import { submitService } from "../../../core/catalog/service.js";
import { addDays } from "../../../core/clock.js";
import { createPromotion } from "../../../core/promotions/service.js";
import { ask, parseLine, parsePositiveInt, parseRubles } from "../../shared/ask.js";
import { attempt, refusalText } from "../../shared/attempt.js";
import type { BotConversation, ConvContext, StaffActor } from "../../shared/context.js";

/** A new promotion: title, text, how many days from today. Clients see it at once. */
export async function newPromotion(conversation: BotConversation, ctx: ConvContext, staff: StaffActor) {
  const title = await ask(conversation, ctx, ctx.t("promo-title"), parseLine(2, 100), { maxLength: 100 });
  const body = await ask(conversation, ctx, ctx.t("promo-body"), parseLine(2, 2_000), { maxLength: 2_000 });
  const days = await ask(conversation, ctx, ctx.t("promo-days"), parsePositiveInt(365));
  const now = await conversation.now();
  const outcome = await conversation.external(() =>
    attempt(async () => {
      const p = await createPromotion(ctx.deps.db, { partnerId: staff.partnerId, staffTelegramId: staff.staffTelegramId, title, body, startsAt: new Date(now), endsAt: addDays(new Date(now), days) }, ctx.deps.clock);
      return p.id;
    }),
  );
  await ctx.reply(outcome.ok ? ctx.t("promo-created", { title }) : refusalText(ctx.t, outcome));
}

/** A new service: name, price, description; it waits for an admin's approval before clients see it. */
export async function newService(conversation: BotConversation, ctx: ConvContext, staff: StaffActor) {
  const name = await ask(conversation, ctx, ctx.t("service-name"), parseLine(2, 100), { maxLength: 100 });
  const priceKopecks = await ask(conversation, ctx, ctx.t("service-price"), parseRubles);
  const description = await ask(conversation, ctx, ctx.t("service-description"), parseLine(2, 1_000), { maxLength: 1_000 });
  const outcome = await conversation.external(() =>
    attempt(async () => (await submitService(ctx.deps.db, { partnerId: staff.partnerId, staffTelegramId: staff.staffTelegramId, name, description, priceKopecks }, ctx.deps.clock)).id),
  );
  await ctx.reply(outcome.ok ? ctx.t("service-submitted", { name }) : refusalText(ctx.t, outcome));
}
