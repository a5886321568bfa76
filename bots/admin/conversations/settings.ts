import { changeNetworkSetting, getNetworkSettings, isEditableSetting, settingValue, type EditableSetting } from "../../../core/settings/service.js";
import { ask } from "../../shared/ask.js";
import { attempt, refusalText } from "../../shared/attempt.js";
import type { BotConversation, ConvContext } from "../../shared/context.js";
import { parseSetting, settingHint, settingName, settingText } from "../format.js";

/**
 * An admin changes one network setting: the current value and what may be typed → a new value (asked again until it
 * fits) → saved, audited with the old and new value, in effect at once. A value the core refuses as a whole (tier
 * thresholds that would not rise) is explained and asked again. Saving the value it already has writes nothing, so a
 * replay of the last step after a crash cannot write twice.
 */
export async function editNetworkSetting(conversation: BotConversation, ctx: ConvContext, setting: string) {
  if (!isEditableSetting(setting)) return void (await ctx.reply(ctx.t("button-stale")));
  const key: EditableSetting = setting;
  const current = await conversation.external(async () => settingValue(await getNetworkSettings(ctx.deps.db), key));
  const name = settingName(ctx.t, key);
  let question = ctx.t("setting-ask", { name, value: settingText(ctx.t, key, current), hint: settingHint(ctx.t, key) });
  for (;;) {
    const value = await ask(conversation, ctx, question, (text) => {
      const parsed = parseSetting(key, text);
      return parsed === null ? { ok: false, error: "setting-invalid", vars: { hint: settingHint(ctx.t, key) } } : { ok: true, value: parsed };
    });
    const adminTelegramId = ctx.from!.id;
    const outcome = await conversation.external(() =>
      attempt(async () => {
        const r = await changeNetworkSetting(ctx.deps.db, { adminTelegramId, setting: key, value });
        return { from: r.from, to: r.to, changed: r.changed };
      }),
    );
    if (outcome.ok) {
      const { from, to, changed } = outcome.value;
      await ctx.reply(changed ? ctx.t("setting-saved", { name, from: settingText(ctx.t, key, from), to: settingText(ctx.t, key, to) }) : ctx.t("setting-unchanged"));
      return;
    }
    if (outcome.code !== "VALIDATION") return void (await ctx.reply(refusalText(ctx.t, outcome)));
    if (outcome.details.rule === "order") {
      const t = await conversation.external(async () => (await getNetworkSettings(ctx.deps.db)).tierThresholds);
      question = ctx.t("setting-order", { silver: t.silver, gold: t.gold, platinum: t.platinum });
    } else question = ctx.t("setting-invalid", { hint: settingHint(ctx.t, key) });
  }
}
