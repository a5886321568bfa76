import { InlineKeyboard } from "grammy";
import { looksLikePhone, normalizePhone } from "../../../core/clients/phone.js";
import { registerClientByPhone } from "../../../core/clients/service.js";
import { balanceOf } from "../../../core/ledger/post.js";
import { exitOnCancel } from "../../shared/ask.js";
import type { BotConversation, ConvContext, StaffActor } from "../../shared/context.js";
import { lookUpClient } from "../client-lookup.js";

export type FoundClient = { id: number; name: string; phone: string | null; balance: number };

const registerButton = "newclient:yes";

/**
 * Asks for a phone, a client code or the client's link until one matches an active client. An unknown phone can be
 * registered on the spot (DOMAIN: a partner may register a client by phone): one real client row, which the phone's
 * owner claims with its points when they open the client bot.
 */
export async function askForClient(conversation: BotConversation, ctx: ConvContext, staff: StaffActor): Promise<FoundClient> {
  await ctx.reply(ctx.t("ask-client"));
  let offer: { phone: string; messageId: number } | null = null;
  for (;;) {
    const answer = await conversation.wait();
    await exitOnCancel(conversation, answer);
    if (answer.callbackQuery?.data === registerButton && offer && answer.callbackQuery.message?.message_id === offer.messageId) {
      const phone = offer.phone;
      await answer.answerCallbackQuery();
      const created = await conversation.external(async (): Promise<FoundClient> => {
        const { client } = await registerClientByPhone(ctx.deps.db, { partnerId: staff.partnerId, staffTelegramId: staff.staffTelegramId, phone }, ctx.deps.clock);
        return { id: client.id, name: client.firstName ?? "—", phone: client.phone, balance: await balanceOf(ctx.deps.db, client.id) };
      });
      await answer.reply(answer.t("client-registered", { phone }));
      return created;
    }
    const text = answer.message?.text;
    if (text === undefined || text.length > 200) {
      if (answer.callbackQuery) await answer.answerCallbackQuery({ text: answer.t("button-stale") });
      else await answer.reply(answer.t("ask-client-again"));
      continue;
    }
    const found = await conversation.external(async (): Promise<FoundClient | null> => {
      const client = await lookUpClient(ctx.deps.db, ctx.deps.redis, text);
      if (!client || client.status !== "active") return null;
      return { id: client.id, name: client.firstName ?? "—", phone: client.phone, balance: await balanceOf(ctx.deps.db, client.id) };
    });
    if (found) {
      await answer.reply(answer.t("client-found", { name: found.name, phone: maskPhone(found.phone), balance: found.balance }));
      return found;
    }
    const phone = phoneOrNull(text);
    if (phone) {
      const prompt = await answer.reply(answer.t("client-not-found-register", { phone }), { reply_markup: new InlineKeyboard().text(answer.t("register-client"), registerButton) });
      offer = { phone, messageId: prompt.message_id };
    } else {
      await answer.reply(answer.t("client-not-found"));
    }
  }
}

const phoneOrNull = (text: string) => {
  if (!looksLikePhone(text)) return null;
  try {
    return normalizePhone(text);
  } catch {
    return null;
  }
};

/** +7 999 ***-**-22: enough for the cashier to check with the client, not enough to copy. */
export const maskPhone = (phone: string | null) => (phone ? `${phone.slice(0, -7)}***-**-${phone.slice(-2)}` : "—");
