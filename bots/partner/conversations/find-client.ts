import { InlineKeyboard } from "grammy";
import { looksLikePhone, maskPhone, normalizePhone } from "../../../core/clients/phone.js";
import { registerClientByPhone } from "../../../core/clients/service.js";
import { balanceOf } from "../../../core/ledger/post.js";
import { exitOnCancel } from "../../shared/ask.js";
import { attempt, refusalText, type Attempt } from "../../shared/attempt.js";
import type { BotConversation, ConvContext, StaffActor } from "../../shared/context.js";
import { lookUpClient, maskName, staffLookupLimit } from "../client-lookup.js";

/**
 * The client chosen for an operation. `name` and `balance` are for the operation's later steps (the accrual's
 * confirmation, the redemption's cap); the lookup itself shows only `maskedName` and a masked phone.
 */
export type FoundClient = { id: number; name: string; maskedName: string; phone: string | null; balance: number };

const registerButton = "newclient:yes";

/**
 * Asks for a phone, a client code or the client's link until one matches an active client. An unknown phone can be
 * registered on the spot (DOMAIN: a partner may register a client by phone): one real client row, which the phone's
 * owner claims with its points when they open the client bot. Lookups are rate-limited per staff member and show a
 * masked name and no balance. The core checks at each step that the cashier is still on the staff: one removed
 * since the conversation began is told so and the conversation ends, with nothing written.
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
      const created = await conversation.external(() =>
        attempt(async (): Promise<FoundClient> => {
          const { client } = await registerClientByPhone(ctx.deps.db, { partnerId: staff.partnerId, staffTelegramId: staff.staffTelegramId, phone }, ctx.deps.clock);
          return found(client, await balanceOf(ctx.deps.db, client.id));
        }),
      );
      if (!created.ok) {
        await leaveIfNoLongerStaff(conversation, answer, created);
        await answer.reply(refusalText(answer.t, created));
        continue;
      }
      await answer.reply(answer.t("client-registered", { phone }));
      return created.value;
    }
    const text = answer.message?.text;
    if (text === undefined || text.length > 200) {
      if (answer.callbackQuery) await answer.answerCallbackQuery({ text: answer.t("button-stale") });
      else await answer.reply(answer.t("ask-client-again"));
      continue;
    }
    const outcome = await conversation.external(() =>
      attempt(async (): Promise<{ kind: "found"; client: FoundClient } | { kind: "none" } | { kind: "limited"; minutes: number }> => {
        const r = await lookUpClient(ctx.deps.db, ctx.deps.redis, staff, text);
        if (r.kind !== "found") return r;
        if (r.client.status !== "active") return { kind: "none" };
        return { kind: "found", client: found(r.client, await balanceOf(ctx.deps.db, r.client.id)) };
      }),
    );
    if (!outcome.ok) {
      await leaveIfNoLongerStaff(conversation, answer, outcome);
      await answer.reply(refusalText(answer.t, outcome));
      continue;
    }
    const r = outcome.value;
    if (r.kind === "limited") {
      await answer.reply(answer.t("lookup-rate-limited", { max: staffLookupLimit.max, window: staffLookupLimit.windowSeconds / 60, minutes: r.minutes }));
      continue;
    }
    if (r.kind === "found") {
      await answer.reply(answer.t("client-found", { name: r.client.maskedName, phone: maskPhone(r.client.phone) }));
      return r.client;
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

const found = (client: { id: number; firstName: string | null; phone: string | null }, balance: number): FoundClient => ({
  id: client.id,
  name: client.firstName ?? "—",
  maskedName: maskName(client.firstName),
  phone: client.phone,
  balance,
});

/** A cashier removed (or a partner blocked) since the conversation began: say so and end it; nothing was written. */
async function leaveIfNoLongerStaff(conversation: BotConversation, answer: ConvContext, refusal: Attempt<unknown> & { ok: false }): Promise<void> {
  if (refusal.code !== "FORBIDDEN" && refusal.code !== "PARTNER_NOT_ACTIVE" && refusal.code !== "PARTNER_NOT_FOUND") return;
  await answer.reply(refusal.code === "FORBIDDEN" ? answer.t("staff-access-lost") : refusalText(answer.t, refusal), { reply_markup: { remove_keyboard: true } });
  await conversation.halt();
}

const phoneOrNull = (text: string) => {
  if (!looksLikePhone(text)) return null;
  try {
    return normalizePhone(text);
  } catch {
    return null;
  }
};
