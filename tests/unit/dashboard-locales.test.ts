import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { categories as partnerCategories } from "../../bots/partner/keyboards.js";
import { customerCategories, rfmSegments } from "../../core/analytics/segments.js";
import { editableSettingKeys, editableSettings } from "../../core/settings/service.js";
import { actorType, broadcastStatus, clientStatus, ledgerKind, moderationStatus, partnerStatus, tier } from "../../db/schema/index.js";

// (That Russian and English have the same keys is checked with every other locale folder in locales.test.ts.)
/** Every label the pages look up by a value (a status, a segment, a setting…) exists in both languages. */
describe("the dashboard's locale files", () => {
  const keysOf = (language: "ru" | "en") =>
    new Set(
      readFileSync(new URL(`../../web/ui/dashboard/locales/${language}.ftl`, import.meta.url), "utf8")
        .split("\n")
        .map((line) => /^([a-zA-Z][\w-]*)\s*=/.exec(line)?.[1])
        .filter((key): key is string => key !== undefined),
    );

  it("have a label for every status, kind, segment, category and setting", () => {
    const ru = keysOf("ru");
    const needed = [
      ...partnerStatus.enumValues.map((s) => `partner-status-${s}`),
      ...partnerCategories.map((c) => `partner-category-${c}`),
      ...moderationStatus.enumValues.map((s) => `service-status-${s}`),
      ...clientStatus.enumValues.map((s) => `client-status-${s}`),
      ...tier.enumValues.map((s) => `tier-${s}`),
      ...ledgerKind.enumValues.map((k) => `ledger-${k.replaceAll("_", "-")}`),
      ...broadcastStatus.enumValues.map((s) => `broadcast-status-${s}`),
      ...actorType.enumValues.map((a) => `actor-${a}`),
      ...customerCategories.map((c) => `category-${c}`),
      ...rfmSegments.map((s) => `segment-${s}`),
      ...editableSettingKeys.map((k) => `setting-${k.replaceAll(".", "-")}`),
      ...Object.values(editableSettings).map((unit) => `unit-${unit}`),
    ];
    expect(needed.filter((key) => !ru.has(key))).toEqual([]);
  });
});

