import { Bot, type BotConfig } from "grammy";
import { and, eq, isNotNull } from "drizzle-orm";
import { clients } from "../../db/schema/index.js";
import type { BotContext } from "../shared/context.js";
import type { BotDeps } from "../shared/deps.js";
import { fallbackFeature } from "../shared/fallback.js";
import { createI18n } from "../../telegram/i18n.js";
import { installCommonMiddleware } from "../shared/middleware.js";
import { npsComment } from "./conversations/nps-comment.js";
import { onboarding } from "./conversations/onboarding.js";
import { mainMenuKeys } from "./keyboards.js";
import { accountFeature } from "./features/account.js";
import { answersFeature } from "./features/answers.js";
import { networkFeature } from "./features/network.js";
import { settingsFeature } from "./features/settings.js";
import { startFeature } from "./features/start.js";

export const clientCommands = ["start", "balance", "code", "phone", "history", "invite", "promotions", "services", "language", "delete_me", "help"] as const;

/** The client bot: no I/O here, so tests can build it; `main.ts` starts it. */
export function createClientBot(token: string, deps: BotDeps, config?: BotConfig<BotContext>): Bot<BotContext> {
  const bot = new Bot<BotContext>(token, config);
  const i18n = createI18n("client");
  installCommonMiddleware(bot, {
    name: "client",
    deps,
    i18n,
    // Anyone may talk to the client bot. Writing to it again makes a client reachable for messages again.
    roleCheck: async (ctx, next) => {
      if (ctx.from) {
        await ctx.deps.db
          .update(clients)
          .set({ unreachableSince: null })
          .where(and(eq(clients.telegramId, ctx.from.id), isNotNull(clients.unreachableSince)));
      }
      await next();
    },
    conversations: { onboarding, npsComment },
    // Its own commands and menu buttons pressed inside a conversation leave it and do what they say.
    flowExits: { commands: clientCommands, menuKeys: mainMenuKeys },
  });
  bot.use(startFeature);
  bot.use(accountFeature(i18n));
  bot.use(networkFeature(i18n));
  bot.use(answersFeature);
  bot.use(settingsFeature(i18n));
  bot.use(fallbackFeature("help"));
  return bot;
}
