import { balanceOf } from "../../../core/ledger/post.js";
import { exitOnCancel } from "../../shared/ask.js";
import type { BotConversation, ConvContext } from "../../shared/context.js";
import { lookUpClient } from "../client-lookup.js";

export type FoundClient = { id: number; name: string; phone: string | null; balance: number };

/** Asks for a phone, a client code or the client's link until one matches an active client. */
export async function askForClient(conversation: BotConversation, ctx: ConvContext): Promise<FoundClient> {
  await ctx.reply(ctx.t("ask-client"));
  for (;;) {
    const answer = await conversation.wait();
    await exitOnCancel(conversation, answer);
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
    await answer.reply(answer.t("client-not-found"));
  }
}

/** +7 999 ***-**-22: enough for the cashier to check with the client, not enough to copy. */
export const maskPhone = (phone: string | null) => (phone ? `${phone.slice(0, -7)}***-**-${phone.slice(-2)}` : "—");
