import { Composer } from "grammy";
import { desc, eq } from "drizzle-orm";
import { partners } from "../../../db/schema/index.js";
import { addStaff } from "../../../core/partners/service.js";
import { attempt, refusalText } from "../../shared/attempt.js";
import type { BotContext } from "../../shared/context.js";
import { languageFeature } from "../../shared/language.js";
import { partnerMenu } from "../keyboards.js";

export const staffInviteKey = (token: string) => `staff-invite:${token}`;

/** What anyone may do in the partner bot: start, apply, accept a cashier invitation, change the language. */
export const publicFeature = new Composer<BotContext>();

publicFeature.command("start", async (ctx) => {
  const payload = ctx.match.trim();
  const invite = /^staff_([A-Za-z0-9]{8,32})$/.exec(payload);
  if (invite) {
    // One-time: GETDEL makes a second use of the same link find nothing.
    const raw = await ctx.deps.redis.getdel(staffInviteKey(invite[1]!));
    if (!raw) return void (await ctx.reply(ctx.t("invite-invalid")));
    const { partnerId, ownerTelegramId } = JSON.parse(raw) as { partnerId: number; ownerTelegramId: number };
    const outcome = await attempt(() => addStaff(ctx.deps.db, { partnerId, ownerTelegramId, telegramId: ctx.from!.id }, ctx.deps.clock)).catch(async (err: unknown) => {
      // Not this person's fault (the database failed): the link stays usable.
      await ctx.deps.redis.set(staffInviteKey(invite[1]!), raw, "EX", 24 * 60 * 60);
      throw err;
    });
    if (!outcome.ok) return void (await ctx.reply(refusalText(ctx.t, outcome)));
    const [partner] = await ctx.deps.db.select({ name: partners.name }).from(partners).where(eq(partners.id, partnerId));
    return void (await ctx.reply(ctx.t("invite-accepted", { partner: partner?.name ?? "" }), { reply_markup: partnerMenu(ctx.t) }));
  }
  if (ctx.staff) return void (await ctx.reply(ctx.t("staff-welcome", { partner: ctx.staff.partnerName }), { reply_markup: partnerMenu(ctx.t) }));
  await replyToStranger(ctx);
});

publicFeature.command("apply", async (ctx) => {
  if (ctx.staff) return void (await ctx.reply(ctx.t("already-partner", { partner: ctx.staff.partnerName })));
  await ctx.conversation.enter("apply");
});

publicFeature.command("cancel", (ctx) => ctx.reply(ctx.t("nothing-to-cancel")));

publicFeature.use(languageFeature((ctx) => (ctx.staff ? partnerMenu(ctx.t) : undefined)));

/** Not (yet) staff of an approved partner: a polite answer that says where they stand, never an error. */
export async function replyToStranger(ctx: BotContext) {
  const [mine] = ctx.from
    ? await ctx.deps.db
        .select({ status: partners.status, reason: partners.moderationReason })
        .from(partners)
        .where(eq(partners.applicantTelegramId, ctx.from.id))
        .orderBy(desc(partners.id))
        .limit(1)
    : [];
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t("button-stale") });
  if (mine?.status === "pending") return void (await ctx.reply(ctx.t("application-pending")));
  if (mine?.status === "blocked") return void (await ctx.reply(ctx.t("partner-blocked")));
  if (mine?.status === "rejected") return void (await ctx.reply(ctx.t("application-was-rejected", { reason: mine.reason ?? "—" })));
  await ctx.reply(ctx.t("stranger"));
}
