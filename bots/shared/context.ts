import type { ConversationFlavor } from "@grammyjs/conversations";
import type { Conversation } from "@grammyjs/conversations";
import type { I18nFlavor } from "@grammyjs/i18n";
import type { Context } from "grammy";
import type { BotDeps } from "./deps.js";

/** A partner's staff member, as the partner bot's role check found them. */
export type StaffActor = { partnerId: number; partnerName: string; staffTelegramId: number; role: "owner" | "cashier" };

/** The bot's own commands (without "/") and menu buttons' labels: pressed inside a conversation, they leave it. */
export type FlowExits = { commands: ReadonlySet<string>; labels: ReadonlySet<string> };

/** What every handler, inside or outside a conversation, can rely on. */
export type BaseContext = Context &
  I18nFlavor & {
    deps: BotDeps;
    /** Set with `deps` for every update, inside conversations too. */
    flowExits?: FlowExits;
    /** Set by the partner bot's role check for staff of an approved partner. */
    staff?: StaffActor;
  };

/** The context of the outside middleware tree (can enter conversations). */
export type BotContext = ConversationFlavor<BaseContext>;

/** The context inside a conversation (plugins re-installed there: deps and i18n). */
export type ConvContext = BaseContext;

export type BotConversation = Conversation<BotContext, ConvContext>;
