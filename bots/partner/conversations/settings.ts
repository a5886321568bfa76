import type { PartnerSettings } from "../../../db/schema/index.js";
import { updatePartnerSettings } from "../../../core/partners/service.js";
import { ask, parsePositiveInt, type Parse } from "../../shared/ask.js";
import { attempt, refusalText } from "../../shared/attempt.js";
import type { BotConversation, ConvContext, StaffActor } from "../../shared/context.js";

export const settingFields = ["bronze", "silver", "gold", "platinum", "welcomeBonus", "maxRedeemPercent"] as const;
export type SettingField = (typeof settingFields)[number];

/** Percent with up to two decimals ("7.5") → basis points. */
const parsePercent: Parse<number> = (text) => {
  const m = /^(\d{1,2})(?:[.,](\d{1,2}))?$/.exec(text);
  if (!m) return { ok: false, error: "percent-invalid" };
  const bp = Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
  return bp <= 5_000 ? { ok: true, value: bp } : { ok: false, error: "percent-invalid" };
};

/** The owner changes one setting; the value is checked by the core and the change is audited. */
export async function editSetting(conversation: BotConversation, ctx: ConvContext, staff: StaffActor, field: SettingField) {
  const isRate = field !== "welcomeBonus" && field !== "maxRedeemPercent";
  const value = await ask(
    conversation,
    ctx,
    ctx.t(isRate ? "setting-ask-rate" : `setting-ask-${field === "welcomeBonus" ? "welcome" : "cap"}`, { tier: isRate ? ctx.t(`tier-${field}`) : "" }),
    isRate ? parsePercent : parsePositiveInt(field === "welcomeBonus" ? 10_000 : 100),
  );
  const patch: PartnerSettings = isRate ? { ratesBp: { [field]: value } } : { [field]: value };
  const outcome = await conversation.external(() => attempt(async () => void (await updatePartnerSettings(ctx.deps.db, { partnerId: staff.partnerId, staffTelegramId: staff.staffTelegramId, patch }))));
  await ctx.reply(outcome.ok ? ctx.t("setting-saved") : refusalText(ctx.t, outcome));
}
