import { Bot, type BotConfig } from "grammy";
import { isAdmin } from "../../core/users/service.js";
import type { BotContext } from "../shared/context.js";
import type { BotDeps } from "../shared/deps.js";
import { createI18n } from "../../telegram/i18n.js";
import { installCommonMiddleware } from "../shared/middleware.js";
import { adjust, setBlocked } from "./conversations/actions.js";
import { rejectWithReason } from "./conversations/moderation.js";
import { editNetworkSetting } from "./conversations/settings.js";
import { adminDesk } from "./features/admin-desk.js";
import { broadcastConversation } from "../shared/broadcast.js";
import { dashboardFeature } from "../shared/dashboard.js";

export const adminCommands = ["queue", "broadcast", "approvals", "stats", "segments", "find", "settings", "audit", "dashboard", "language", "help"] as const;

/** The admin bot: only admins (ADMIN_IDS or granted in the database) get past the role check. */
export function createAdminBot(token: string, deps: BotDeps, config?: BotConfig<BotContext>): Bot<BotContext> {
  const bot = new Bot<BotContext>(token, config);
  const i18n = createI18n("admin");
  installCommonMiddleware(bot, {
    name: "admin",
    deps,
    i18n,
    roleCheck: async (ctx, next) => {
      if (ctx.from && (await isAdmin(ctx.deps.db, ctx.deps.adminIds, ctx.from.id))) return next();
      if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t("not-admin") });
      else if (ctx.chat) await ctx.reply(ctx.t("not-admin"));
    },
    conversations: { rejectWithReason, adjust, setBlocked, editNetworkSetting, broadcast: broadcastConversation },
    // Its own commands typed inside a conversation leave it and do what they say.
    flowExits: { commands: adminCommands, menuKeys: [] },
  });
  bot.use(dashboardFeature({ actorType: "admin", identify: async (ctx) => ({ telegramId: ctx.from!.id, role: "admin", partnerId: null }) }));
  bot.use(adminDesk);
  return bot;
}
