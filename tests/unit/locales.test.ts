import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { adminCommands } from "../../bots/admin/bot.js";
import { clientCommands } from "../../bots/client/bot.js";
import { mainMenuKeys } from "../../bots/client/keyboards.js";
import { partnerCommands } from "../../bots/partner/bot.js";
import { partnerMenuKeys } from "../../bots/partner/keyboards.js";
import { createI18n } from "../../telegram/i18n.js";
import { errorCodes } from "../../core/errors.js";
import { actorType, clientStatus, ledgerKind, partnerStatus } from "../../db/schema/index.js";
import { settingButtonId } from "../../bots/admin/format.js";
import { categories as partnerCategories } from "../../bots/partner/keyboards.js";
import { customerCategories, rfmSegments } from "../../core/analytics/segments.js";
import { editableSettingKeys } from "../../core/settings/service.js";

const keysOf = (path: string) =>
  new Set(
    readFileSync(new URL(`../../${path}`, import.meta.url), "utf8")
      .split("\n")
      .map((line) => /^([a-zA-Z][\w-]*)\s*=/.exec(line)?.[1])
      .filter((k): k is string => k !== undefined),
  );

describe("locale files", () => {
  it.each(["bots/shared", "bots/client", "bots/partner", "bots/admin", "web/ui/mini-app", "web/ui/dashboard"])("%s: Russian and English have the same keys", (dir) => {
    expect([...keysOf(`${dir}/locales/en.ftl`)].sort()).toEqual([...keysOf(`${dir}/locales/ru.ftl`)].sort());
  });

  it("every DomainError code has a message in both languages", () => {
    const shared = keysOf("bots/shared/locales/ru.ftl");
    const missing = errorCodes.map((c) => `error-${c.toLowerCase().replaceAll("_", "-")}`).filter((k) => !shared.has(k));
    expect(missing).toEqual([]);
  });

  it.each([
    ["client", clientCommands],
    ["partner", partnerCommands],
    ["admin", adminCommands],
  ] as const)("every %s command has a description, and the bot's messages resolve in both languages", (bot, commands) => {
    const i18n = createI18n(bot);
    for (const language of ["ru", "en"] as const) {
      for (const c of commands) expect(i18n.t(language, `cmd-${c}`), `${language} cmd-${c}`).not.toMatch(/^cmd-/);
      expect(i18n.t(language, "error-insufficient-points", { available: 5 })).toMatch(/5/);
    }
  });

  it("menus, ledger kinds and pluralised points render in both languages", () => {
    const client = createI18n("client");
    const partner = createI18n("partner");
    for (const language of ["ru", "en"] as const) {
      for (const k of mainMenuKeys) expect(client.t(language, k)).not.toBe(k);
      for (const k of partnerMenuKeys) expect(partner.t(language, k)).not.toBe(k);
      for (const kind of ledgerKind.enumValues) expect(client.t(language, `ledger-${kind.replaceAll("_", "-")}`)).not.toMatch(/^ledger-/);
    }
    expect(client.t("ru", "balance", { points: 1 })).toBe("Баланс: 1 балл");
    expect(client.t("ru", "balance", { points: 3 })).toBe("Баланс: 3 балла");
    expect(client.t("ru", "balance", { points: 25 })).toBe("Баланс: 25 баллов");
    expect(client.t("en", "balance", { points: 1 })).toBe("Balance: 1 point");
    expect(client.t("en", "balance", { points: 7 })).toBe("Balance: 7 points");
  });
});

describe("the admin bot says statuses, categories, segments, operations, settings and audit lines in words", () => {
  const sourceFiles = (dir: string): string[] =>
    readdirSync(new URL(`../../${dir}/`, import.meta.url), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? sourceFiles(`${dir}/${e.name}`) : e.name.endsWith(".ts") ? [`${dir}/${e.name}`] : [],
    );
  /** Every audit action the core writes: literal ids on `action:` lines, and the `x.${approve or reject}` ones. */
  const auditActions = new Set(
    sourceFiles("core").flatMap((f) => {
      const text = readFileSync(new URL(`../../${f}`, import.meta.url), "utf8");
      const literal = text.split("\n").filter((l) => /\baction: /.test(l)).flatMap((l) => [...l.matchAll(/"([a-z_-]+\.[a-z_-]+)"/g)].map((m) => m[1]!));
      const verdicts = [...text.matchAll(/action: `([a-z_]+)\.\$\{status === "approved" \? "approve" : "reject"\}`/g)].flatMap((m) => [`${m[1]}.approve`, `${m[1]}.reject`]);
      return [...literal, ...verdicts];
    }),
  );

  it.each(["ru", "en"] as const)("%s", (language) => {
    const admin = createI18n("admin");
    const keys = [
      ...clientStatus.enumValues.map((s) => `client-status-${s}`),
      ...partnerStatus.enumValues.map((s) => `partner-status-${s}`),
      ...partnerCategories.map((c) => `partner-category-${c}`),
      ...ledgerKind.enumValues.map((k) => `op-${k.replaceAll("_", "-")}`),
      ...customerCategories.map((c) => `customers-${c}`),
      ...rfmSegments.map((s) => `segment-${s.replaceAll("_", "-")}`),
      ...actorType.enumValues.map((a) => `audit-actor-${a}`),
      ...editableSettingKeys.map((k) => `setting-${settingButtonId(k)}`),
      ...[...auditActions].map((a) => `audit-action-${a.replace(/[._]/g, "-")}`),
      "intl-locale",
    ];
    expect(auditActions.size).toBeGreaterThan(15);
    const missing = keys.filter((k) => /^\{.*\}$/.test(admin.t(language, k, { id: "1" })));
    expect(missing).toEqual([]);
  });
});

describe("startOfDay", () => {
  it("is Moscow midnight of the instant's Moscow calendar day", async () => {
    const { startOfDay } = await import("../../core/clock.js");
    expect(startOfDay(new Date("2026-11-24T20:59:59Z")).toISOString()).toBe("2026-11-23T21:00:00.000Z");
    expect(startOfDay(new Date("2026-11-24T21:00:00Z")).toISOString()).toBe("2026-11-24T21:00:00.000Z");
    expect(startOfDay(new Date("2026-11-24T12:34:56.789Z")).toISOString()).toBe("2026-11-23T21:00:00.000Z");
  });
});
