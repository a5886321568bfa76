import { Bot, type BotConfig } from "grammy";
import { staffMemberships } from "../../core/partners/access.js";
import type { BotContext, StaffActor } from "../shared/context.js";
import type { BotDeps } from "../shared/deps.js";
import { createI18n } from "../../telegram/i18n.js";
import { installCommonMiddleware } from "../shared/middleware.js";
import { accrual } from "./conversations/accrual.js";
import { apply } from "./conversations/apply.js";
import { newPromotion, newService } from "./conversations/catalog.js";
import { askForClient } from "./conversations/find-client.js";
import { redemption, redemptionByCode } from "./conversations/redemption.js";
import { editSetting } from "./conversations/settings.js";
import { publicFeature, replyToStranger } from "./features/public.js";
import { broadcastConversation } from "../shared/broadcast.js";
import { dashboardFeature } from "../shared/dashboard.js";
import type { DashboardIdentity } from "../../core/web-auth/service.js";
import { staffDesk } from "./features/staff-desk.js";
import { partnerMenuKeys } from "./keyboards.js";

export const partnerCommands = ["start", "accrue", "redeem", "find", "undo", "stats", "segments", "broadcast", "link", "promotions", "newpromo", "services", "newservice", "settings", "staff", "dashboard", "language", "help"] as const;

/** The partner bot: no I/O here, so tests can build it; `main.ts` starts it. */
export function createPartnerBot(token: string, deps: BotDeps, config?: BotConfig<BotContext>): Bot<BotContext> {
  const bot = new Bot<BotContext>(token, config);
  const i18n = createI18n("partner");
  installCommonMiddleware(bot, {
    name: "partner",
    deps,
    i18n,
    // Staff of an approved partner get `ctx.staff`; everyone else only the public part (apply, invitations).
    roleCheck: async (ctx, next) => {
      if (ctx.from) {
        const active = (await staffMemberships(ctx.deps.db, ctx.from.id)).find((m) => m.partnerStatus === "approved");
        if (active) ctx.staff = { partnerId: active.partnerId, partnerName: active.partnerName, staffTelegramId: ctx.from.id, role: active.role };
      }
      await next();
    },
    conversations: {
      apply,
      accrual,
      redemption,
      redemptionByCode,
      newPromotion,
      newService,
      editSetting,
      broadcast: broadcastConversation,
      findClient: async (conversation, ctx, staff: StaffActor) => void (await askForClient(conversation, ctx, staff)),
    },
    // The till's own commands and menu buttons pressed inside a conversation leave it and do what they say.
    flowExits: { commands: [...partnerCommands, "apply"], menuKeys: partnerMenuKeys },
  });
  bot.use(publicFeature);
  // Before the staff filter: a stranger hears the usual answer, and "Log out everywhere" works for whoever pressed it.
  bot.use(dashboardFeature({ actorType: "staff", identify: ownerIdentity }));
  bot.filter((ctx) => ctx.staff !== undefined).use(staffDesk(i18n));
  bot.on("callback_query", (ctx) => ctx.answerCallbackQuery({ text: ctx.t("button-stale") }));
  bot.use(replyToStranger);
  return bot;
}

/** The dashboard is the owner's (it holds the client base and exports): a cashier is told so, a stranger gets the usual answer. */
async function ownerIdentity(ctx: BotContext): Promise<DashboardIdentity | null> {
  if (!ctx.staff) {
    await replyToStranger(ctx);
    return null;
  }
  if (ctx.staff.role !== "owner") {
    await ctx.reply(ctx.t("dashboard-owner-only"));
    return null;
  }
  return { telegramId: ctx.staff.staffTelegramId, role: "partner", partnerId: ctx.staff.partnerId };
}
