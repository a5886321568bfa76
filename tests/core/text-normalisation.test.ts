import { describe, expect, it } from "vitest";
import { isDomainError } from "../../core/errors.js";
import { accrue } from "../../core/ledger/service.js";
import { submitApplication } from "../../core/partners/service.js";
import { createPromotion } from "../../core/promotions/service.js";
import { checkText, identifier, line, multiline, normalizeText } from "../../core/validation.js";
import { rowCounts, useTestDb } from "../helpers/db.js";
import { makeClient, makePartner, newTelegramId } from "../helpers/fixtures.js";

const db = useTestDb();

const refusal = (call: () => Promise<unknown>) =>
  call().then(
    () => "accepted",
    (e: unknown) => (isDomainError(e) ? e.code : e),
  );

describe("user text is normalised once, in the core", () => {
  it.each([
    ["a non-breaking hyphen (U+2011)", "R-100", "R\u2011100"],
    ["a hyphen (U+2010)", "R-100", "R\u2010100"],
    ["a minus sign", "R-100", "R\u2212100"],
    ["a full-width hyphen and letters", "R-100", "\uFF32\uFF0D\uFF11\uFF10\uFF10"],
    ["a zero-width space inside", "R-100", "R-\u200B100"],
    ["a bidi mark and spaces around", "R-100", " \u200ER-100\u00A0"],
    ["Cyrillic letters on a Russian keyboard", "PCX-100", "\u0420\u0421\u0425-100"],
  ])("a receipt typed with %s is the same receipt: a replay, not a second accrual", async (_label, receipt, spelling) => {
    const p = await makePartner(db);
    const c = await makeClient(db);
    const input = { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: c.clientId, amountKopecks: 10_000 };
    const first = await accrue(db, { ...input, receiptNumber: receipt });
    expect(first.replayed).toBe(false);
    const before = await rowCounts(db);
    const second = await accrue(db, { ...input, receiptNumber: spelling });
    expect(second).toMatchObject({ replayed: true, purchaseId: first.purchaseId, points: first.points });
    // Another check under the same visible receipt is refused as a reused receipt.
    expect(await refusal(() => accrue(db, { ...input, amountKopecks: 20_000, receiptNumber: spelling }))).toBe("RECEIPT_REUSED");
    expect(await rowCounts(db)).toEqual(before);
  });

  it.each([
    ["a zero-width space", "\u200B"],
    ["zero-width characters and a BOM", "\u200B\u200C\u200D\uFEFF"],
    ["bidi controls", "\u202E\u2066\u2069"],
    ["a Hangul filler", "\u3164"],
  ])("a receipt of only %s is refused and nothing is written", async (_label, receiptNumber) => {
    const p = await makePartner(db);
    const c = await makeClient(db);
    const before = await rowCounts(db);
    expect(await refusal(() => accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: c.clientId, amountKopecks: 10_000, receiptNumber }))).toBe("VALIDATION");
    expect(await rowCounts(db)).toEqual(before);
  });

  it("a partner name (or contact, address) of invisible characters is refused; a padded one is stored clean", async () => {
    const application = { telegramId: newTelegramId(), name: "Пекарня", category: "cafe", address: "Арбат, 5", contactName: "Ирина", phone: "+79990003344" };
    const before = await rowCounts(db);
    for (const bad of [{ name: "\u200B\u200B" }, { contactName: "\u200B\u200B" }, { address: "\u200B\u2060\u200B\u2060\u200B" }, { name: "\uFE0F\uFE0F" }]) {
      expect(await refusal(() => submitApplication(db, { ...application, ...bad }))).toBe("VALIDATION");
    }
    expect(await rowCounts(db)).toEqual(before);
    const p = await submitApplication(db, { ...application, name: "  Кафе\u200B   «Ёлка»\u202E ", address: "Арбат,\u00A0\u00A05" });
    expect({ name: p.name, address: p.address }).toEqual({ name: "Кафе «Ёлка»", address: "Арбат, 5" });
  });

  it("a promotion's title is one line; its text keeps its paragraphs", async () => {
    const p = await makePartner(db);
    const now = new Date();
    const promo = await createPromotion(db, {
      partnerId: p.partnerId,
      staffTelegramId: p.staffTelegramId,
      title: "Скидка\n  10%\u200B",
      body: "Первая строка  \r\n\r\n\r\n\r\nВторая\u00A0\u00A0строка",
      startsAt: now,
      endsAt: new Date(now.getTime() + 86_400_000),
    });
    expect({ title: promo.title, body: promo.body }).toEqual({ title: "Скидка 10%", body: "Первая строка\n\nВторая строка" });
    expect(await refusal(() => createPromotion(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, title: "\u200B\u200B\u200B", body: "текст", startsAt: now, endsAt: now }))).toBe("VALIDATION");
  });

  it("normalizeText: NFKC, invisible characters, whitespace; emoji sequences survive", () => {
    expect(normalizeText("\uFF21\uFF22\u00A0\uFB01")).toBe("AB fi");
    expect(normalizeText("a\u200Bb\u2060c\u00ADd\u202Ae\u2066f")).toBe("abcdef");
    expect(normalizeText("a \t\n b")).toBe("a b");
    expect(normalizeText("👩\u200D💻 кофе")).toBe("👩\u200D💻 кофе");
    expect(normalizeText("R\u2011100")).toBe("R\u2010100"); // dashes become "-" only in identifiers
    expect(normalizeText("R\u2011100", "identifier")).toBe("R-100");
    expect(checkText("\u200B\u200B", line(2, 100))).toEqual({ ok: false, problem: "invisible" });
    expect(checkText("12\u000034", identifier(1, 64))).toEqual({ ok: false, problem: "control" });
    expect(checkText(" \u200B ", multiline(0, 10))).toEqual({ ok: true, value: "" });
  });
});
