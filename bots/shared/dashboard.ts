import { Composer, InlineKeyboard } from "grammy";
import { createLoginLink, loginLinkTtlMinutes, signOutEverywhere, type DashboardIdentity } from "../../core/web-auth/service.js";
import { callbackData } from "../../telegram/callback-data.js";
import { clearKeyboard } from "./ask.js";
import type { BotContext } from "./context.js";

/** The "Log out everywhere" button under a sign-in link. */
export const dashboardLogout = callbackData("dlogout", ["go"]);

export type DashboardFeatureOptions = {
  /** How the audit log names the person: "admin" in the admin bot, "staff" in the partner bot. */
  actorType: "admin" | "staff";
  /**
   * Who is asking, as the dashboard will know them; or null once they have been told why not (a cashier, a stranger).
   * Runs before the address check, so someone who may not use the dashboard hears that rather than a setup problem.
   */
  identify: (ctx: BotContext) => Promise<DashboardIdentity | null>;
};

/**
 * `/dashboard` in the admin and partner bots: a one-time sign-in link (10 minutes, single use) as a URL button, and a
 * "Log out everywhere" button that ends every dashboard session of this person. The token travels in the URL's
 * fragment, so it never reaches a server's logs or a link prefetcher; the bot's link preview is off all the same.
 */
export function dashboardFeature(options: DashboardFeatureOptions): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  feature.command("dashboard", async (ctx) => {
    const identity = await options.identify(ctx);
    if (!identity) return;
    const publicUrl = ctx.deps.publicUrl;
    // Each bot says it its own way: an admin can set PUBLIC_URL, a partner can only ask the admin.
    if (!publicUrl) return void (await ctx.reply(ctx.t("dashboard-no-address")));
    // Refuses (DomainError, answered by the error boundary) anyone who lost access since the role check.
    const { token, expiresAt } = await createLoginLink(ctx.deps.db, { identity, adminIds: ctx.deps.adminIds }, ctx.deps.clock);
    const until = new Intl.DateTimeFormat(ctx.t("intl-locale"), { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Moscow" }).format(expiresAt);
    const keyboard = new InlineKeyboard()
      .url(ctx.t("dashboard-open"), `${publicUrl}/dashboard/#sign-in=${token}`)
      .row()
      .text(ctx.t("dashboard-logout-everywhere"), dashboardLogout.pack({ go: 1 }));
    await ctx.reply(ctx.t("dashboard-link", { minutes: loginLinkTtlMinutes, until }), { reply_markup: keyboard, link_preview_options: { is_disabled: true } });
  });

  // Ending one's own sessions is always allowed, even for someone who has since lost access to the dashboard.
  feature.callbackQuery(dashboardLogout.pattern, async (ctx) => {
    const ended = await signOutEverywhere(ctx.deps.db, { telegramId: ctx.from.id, actorType: options.actorType }, ctx.deps.clock);
    await ctx.answerCallbackQuery();
    // The link above was voided too: its buttons go.
    await clearKeyboard(ctx);
    await ctx.reply(ctx.t("dashboard-logged-out", { count: ended }));
  });

  return feature;
}
