import { InlineKeyboard, type Api } from "grammy";
import type { BaseContext } from "../shared/context.js";
import type { BotDeps } from "../shared/deps.js";

/**
 * The client Mini App ("💳 My card"): served by the web server at `${PUBLIC_URL}/app/`. Without PUBLIC_URL the
 * bot offers no button and sets no menu button (there is nowhere to open).
 */
export const miniAppUrl = (publicUrl: string) => `${publicUrl}/app/`;

type Translate = BaseContext["t"];

/** An inline "💳 My card" button opening the Mini App, or undefined when the web server has no address. */
export function myCardKeyboard(deps: BotDeps, t: Translate): InlineKeyboard | undefined {
  return deps.publicUrl ? new InlineKeyboard().webApp(t("my-card"), miniAppUrl(deps.publicUrl)) : undefined;
}

/**
 * After the welcome (a message that carries the reply-keyboard menu, so it cannot carry an inline button too): a
 * short message with the "💳 My card" button, and the chat's menu button (left of the input field) set to open the
 * Mini App with its label in the person's language. Nothing when the web server has no address.
 */
export async function offerMyCard(ctx: BaseContext, t: Translate): Promise<void> {
  const keyboard = myCardKeyboard(ctx.deps, t);
  if (!keyboard || !ctx.deps.publicUrl || !ctx.chat) return;
  await ctx.reply(t("my-card-offer"), { reply_markup: keyboard });
  await ctx.api
    .setChatMenuButton({ chat_id: ctx.chat.id, menu_button: { type: "web_app", text: t("my-card-menu"), web_app: { url: miniAppUrl(ctx.deps.publicUrl) } } })
    .catch((err: unknown) => ctx.deps.logger.warn({ err, chatId: ctx.chat?.id }, "client bot: could not set the chat's menu button"));
}

/**
 * The bot's default menu button (every chat that has none of its own) opens the Mini App; call once the bot is
 * started, when PUBLIC_URL is set. Telegram has no per-language default, so the label is the network's language
 * (Russian); each client's chat gets one in their language at /start (offerMyCard).
 */
export async function publishMenuButton(api: Api, deps: Pick<BotDeps, "publicUrl">, label: string): Promise<void> {
  if (!deps.publicUrl) return;
  await api.setChatMenuButton({ menu_button: { type: "web_app", text: label, web_app: { url: miniAppUrl(deps.publicUrl) } } });
}
