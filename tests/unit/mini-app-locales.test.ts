import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ledgerKind } from "../../db/schema/index.js";
import { tier } from "../../web/api.js";
import { createTranslator } from "../../web/ui/shared/i18n.js";

const dir = new URL("../../web/ui/mini-app/", import.meta.url);
const source = (name: string) => readFileSync(new URL(name, dir), "utf8");
const ftl = { ru: source("locales/ru.ftl"), en: source("locales/en.ftl") };
const keysOf = (text: string) => new Set(text.split("\n").flatMap((line) => /^([a-zA-Z][\w-]*)\s*=/.exec(line)?.[1] ?? []));

// (That Russian and English have the same keys is checked with every other locale folder in locales.test.ts.)
describe("the Mini App's strings", () => {
  it("every key the page names, and every tier, ledger kind, view and error it builds a key for, is there", () => {
    const keys = keysOf(ftl.ru);
    const sources = readdirSync(dir).filter((f) => f.endsWith(".tsx") || f.endsWith(".ts")).map(source).join("\n");
    const named = [...sources.matchAll(/\bt\("([a-z][\w-]*)"/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(30);
    const built = [
      ...tier.options.map((t) => `tier-${t}`),
      ...ledgerKind.enumValues.map((k) => `ledger-${k}`),
      ...["card", "history", "friends", "network"].map((v) => `tab-${v}`),
      ...["not-telegram", "auth", "not-client", "blocked", "network", "other"].map((e) => `error-${e}`),
      "language-ru",
      "language-en",
    ];
    expect([...named, ...built].filter((k) => !keys.has(k))).toEqual([]);
  });

  it("points are counted in each language's plural forms", () => {
    const ru = createTranslator(ftl, "ru");
    const en = createTranslator(ftl, "en");
    expect([1, 3, 5, 21, 1234].map((count) => ru("points", { count }))).toEqual(["1 балл", "3 балла", "5 баллов", "21 балл", "1\u00a0234 балла"]);
    expect([1, 7].map((count) => en("points", { count }))).toEqual(["1 point", "7 points"]);
  });
});
