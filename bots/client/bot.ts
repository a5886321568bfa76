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
import { publishMenuButton } from "./web-app.js";

export const clientCommands = ["start", "balance", "code", "phone", "history", "invite", "promotions", "services", "language", "delete_me", "help"] as const;

/** The client bot: no I/O here, so tests can build it; `main.ts` starts it. */
export function createClientBot(token: string, deps: BotDeps, config?: BotConfig<BotContext>): Bot<BotContext> {
  const i18n = createI18n("client");
  const bot = new ClientBot(token, deps, i18n.t("ru", "my-card-menu"), config);
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

/**
 * The client bot sets its default menu button (left of the input field) to open the Mini App when it starts —
 * in `init`, which every way of starting a bot calls (production, `npm run start:client`, the sandbox, tests) and
 * which makes no call at construction. Only with PUBLIC_URL; a failure is logged and the bot runs on.
 */
class ClientBot extends Bot<BotContext> {
  private menuButtonPublished = false;

  constructor(
    token: string,
    private readonly deps: BotDeps,
    private readonly menuButtonLabel: string,
    config?: BotConfig<BotContext>,
  ) {
    super(token, config);
  }

  override async init(signal?: Parameters<Bot<BotContext>["init"]>[0]): Promise<void> {
    await super.init(signal);
    if (this.menuButtonPublished || !this.deps.publicUrl) return;
    this.menuButtonPublished = true;
    await publishMenuButton(this.api, this.deps, this.menuButtonLabel).catch((err: unknown) =>
      this.deps.logger.warn({ err }, "client bot: could not set the menu button to open the Mini App"),
    );
  }
}
