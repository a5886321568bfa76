import { InlineKeyboard } from "grammy";
import type { PartnerSettings } from "../../../db/schema/index.js";
import { findPartner, updatePartnerSettings } from "../../../core/partners/service.js";
import { effectiveSettings, getNetworkSettings } from "../../../core/settings/service.js";
import { ask, parsePositiveInt, type Parse } from "../../shared/ask.js";
import { attempt, refusalText } from "../../shared/attempt.js";
import type { BaseContext, BotConversation, ConvContext, StaffActor } from "../../shared/context.js";
import { settingPick } from "../keyboards.js";

/** Settings the owner types a value for. */
const valueFields = ["bronze", "silver", "gold", "platinum", "welcomeBonus", "maxRedeemPercent"] as const;
/** Switches: the button names the value it sets, so pressing it twice sets the same value twice. */
const switchFields = { cashierBroadcastsOn: { cashiersMayBroadcast: true }, cashierBroadcastsOff: { cashiersMayBroadcast: false } } as const satisfies Record<string, PartnerSettings>;

/** Every choice the owner's /settings buttons can carry. */
export const settingFields = [...valueFields, ...(Object.keys(switchFields) as (keyof typeof switchFields)[])] as const;
export type SettingField = (typeof settingFields)[number];

/** `/settings`: the partner's settings as clients get them; the owner also gets a button per setting. */
export async function showSettings(ctx: BaseContext, staff: StaffActor): Promise<void> {
  const partner = await findPartner(ctx.deps.db, { id: staff.partnerId });
  if (!partner) return;
  const e = effectiveSettings(await getNetworkSettings(ctx.deps.db), partner.settings);
  const pct = (bp: number) => (bp / 100).toString();
  const cashiersMayBroadcast = partner.settings.cashiersMayBroadcast === true;
  const text = ctx.t("settings", {
    bronze: pct(e.ratesBp.bronze),
    silver: pct(e.ratesBp.silver),
    gold: pct(e.ratesBp.gold),
    platinum: pct(e.ratesBp.platinum),
    welcome: e.welcomeBonus,
    cap: e.maxRedeemPercent,
    broadcasts: ctx.t(cashiersMayBroadcast ? "settings-broadcasts-cashiers" : "settings-broadcasts-owner"),
  });
  if (staff.role !== "owner") return void (await ctx.reply(text));
  const kb = new InlineKeyboard();
  valueFields.forEach((f, i) => {
    kb.text(ctx.t(`setting-${f}`), settingPick.pack({ field: f }));
    if (i % 2 === 1) kb.row();
  });
  const flip: SettingField = cashiersMayBroadcast ? "cashierBroadcastsOff" : "cashierBroadcastsOn";
  kb.row().text(ctx.t(`setting-${flip}`), settingPick.pack({ field: flip }));
  await ctx.reply(text, { reply_markup: kb });
}

/** Percent with up to two decimals ("7.5") → basis points. */
const parsePercent: Parse<number> = (text) => {
  const m = /^(\d{1,2})(?:[.,](\d{1,2}))?$/.exec(text);
  if (!m) return { ok: false, error: "percent-invalid" };
  const bp = Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
  return bp <= 5_000 ? { ok: true, value: bp } : { ok: false, error: "percent-invalid" };
};

/** The owner changes one setting; the value is checked by the core and the change is audited. */
export async function editSetting(conversation: BotConversation, ctx: ConvContext, staff: StaffActor, field: SettingField) {
  let patch: PartnerSettings;
  if (field === "cashierBroadcastsOn" || field === "cashierBroadcastsOff") {
    patch = switchFields[field];
  } else if (field === "welcomeBonus") {
    // The network caps a partner's welcome bonus; the question names the cap and the core enforces it.
    const max = await conversation.external(async () => (await getNetworkSettings(ctx.deps.db)).maxWelcomeBonus);
    patch = { welcomeBonus: await ask(conversation, ctx, ctx.t("setting-ask-welcome", { max }), parsePositiveInt(max)) };
  } else if (field === "maxRedeemPercent") {
    patch = { maxRedeemPercent: await ask(conversation, ctx, ctx.t("setting-ask-cap"), parsePositiveInt(100)) };
  } else {
    patch = { ratesBp: { [field]: await ask(conversation, ctx, ctx.t("setting-ask-rate", { tier: ctx.t(`tier-${field}`) }), parsePercent) } };
  }
  const outcome = await conversation.external(() => attempt(async () => void (await updatePartnerSettings(ctx.deps.db, { partnerId: staff.partnerId, staffTelegramId: staff.staffTelegramId, patch }))));
  if (!outcome.ok) return void (await ctx.reply(refusalText(ctx.t, outcome)));
  const saved = patch.cashiersMayBroadcast === undefined ? "setting-saved" : patch.cashiersMayBroadcast ? "setting-saved-broadcasts-cashiers" : "setting-saved-broadcasts-owner";
  await ctx.reply(ctx.t(saved));
}
