import { readdirSync, readFileSync } from "node:fs";
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

  /** The core's source files, read as text: what the audit log can hold is what they write. */
  const coreSources = (dir = "core"): string[] =>
    readdirSync(new URL(`../../${dir}/`, import.meta.url), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? coreSources(`${dir}/${e.name}`) : e.name.endsWith(".ts") ? [readFileSync(new URL(`../../${dir}/${e.name}`, import.meta.url), "utf8")] : [],
    );
  // As in locales.test.ts (the admin bot's audit test): literal ids on `action:` lines, and the `x.${approve or reject}` ones.
  const auditActions = new Set(
    coreSources().flatMap((text) => [
      ...text.split("\n").filter((l) => /\baction: /.test(l)).flatMap((l) => [...l.matchAll(/"([a-z_-]+\.[a-z_-]+)"/g)].map((m) => m[1]!)),
      ...[...text.matchAll(/action: `([a-z_]+)\.\$\{status === "approved" \? "approve" : "reject"\}`/g)].flatMap((m) => [`${m[1]}.approve`, `${m[1]}.reject`]),
    ]),
  );
  // `targetType: "client"`, or a choice `targetType: role === "admin" ? "network" : "partner"` (the values after `?`).
  const auditTargets = new Set(
    coreSources().flatMap((text) =>
      [...text.matchAll(/targetType: (?:[^,?}]*\? )?"([a-z_]+)"(?: : "([a-z_]+)")?/g)].flatMap((m) => [m[1]!, ...(m[2] ? [m[2]] : [])]),
    ),
  );

  it.each(["ru", "en"] as const)("name every audit action and target the core writes (%s)", (language) => {
    const keys = keysOf(language);
    expect(auditActions.size).toBeGreaterThan(20);
    expect([...auditActions]).toEqual(expect.arrayContaining(["dashboard.sign-in", "promotion.create", "partner.approve", "partner.reject", "staff.add", "client.register_by_phone"]));
    expect([...auditTargets].sort()).toEqual(expect.arrayContaining(["client", "ledger_entry", "network", "partner", "promotion"]));
    expect(auditTargets.has("admin")).toBe(false); // the condition's operand is not a target
    const needed = [
      ...[...auditActions].map((a) => `audit-action-${a.replace(/[._]/g, "-")}`),
      ...[...auditTargets].map((type) => `audit-target-${type.replace(/[._]/g, "-")}`),
      "audit-target-numbered",
    ];
    expect(needed.filter((key) => !keys.has(key))).toEqual([]);
  });
});

