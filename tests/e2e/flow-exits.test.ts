import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { registerClient } from "../../core/clients/service.js";
import { moderateApplication, submitApplication } from "../../core/partners/service.js";
import { purchases } from "../../db/schema/index.js";
import { rowCounts } from "../helpers/db.js";
import { testAppSecret } from "../helpers/env.js";
import { tokens, testAdminId } from "../helpers/processes.js";
import { useProduct, type User } from "./harness.js";

// Conversations a person can get out of, in every bot, through the one shared mechanism (`exitOnCancel`).
const product = useProduct(["client", "partner", "admin"]);
const { db } = product;

const owner: User = { id: 531, first_name: "Ирина" };
const alice: User = { id: 631, first_name: "Алиса" };
const admin: User = { id: testAdminId, first_name: "Админ" };

async function setup() {
  const p = await submitApplication(db, { telegramId: owner.id, name: "Пекарня", category: "cafe", address: "Арбат, 5", contactName: "Ирина", phone: "+79990003344" });
  await moderateApplication(db, { adminTelegramId: testAdminId, partnerId: p.id, verdict: { decision: "approve" } });
  await registerClient(db, { telegramId: alice.id, firstName: "Алиса", phone: "+79160000005" }, { appSecret: testAppSecret });
  return p;
}

/** /accrue → client → the amount question. */
async function toAmountStep() {
  await product.say("partner", owner, "/accrue", /Клиент: введите/);
  await product.say("partner", owner, "+79160000005", /Сумма чека/);
}

const replyKeyboardOf = (text: RegExp) => {
  const m = product.fake.messagesTo(tokens.partner, owner.id).filter((x) => text.test(x.text ?? "")).at(-1);
  return ((m?.reply_markup as { keyboard?: { text: string }[][] } | undefined)?.keyboard ?? []).flat().map((b) => b.text);
};

describe("leaving a conversation", () => {
  it("a menu button pressed mid-accrual leaves it and does what it says; nothing is written", async () => {
    await setup();
    const before = await rowCounts(db);
    await toAmountStep();
    const since = Date.now();
    await product.say("partner", owner, "➖ Списать", /Отменено/);
    // …and the redemption it asked for starts, rather than "enter an amount greater than zero".
    await product.waitForMessage("partner", owner.id, /Клиент: введите/, since);
    await product.say("partner", owner, "+79160000005", /Сумма чека/);
    await product.say("partner", owner, "📊 Статистика", /За какой период/);
    expect(await rowCounts(db)).toEqual(before);
    const amountRefusals = product.fake.messagesTo(tokens.partner, owner.id).filter((m) => /больше нуля/.test(m.text ?? ""));
    expect(amountRefusals).toEqual([]);
  });

  it("a command of the till mid-flow leaves it and runs; an unknown one is explained and the question stands", async () => {
    await setup();
    const before = await rowCounts(db);
    await toAmountStep();
    await product.say("partner", owner, "/balance", /Такой команды здесь нет.*\/cancel/s);
    // Still at the amount step:
    await product.say("partner", owner, "1500", /Номер чека/);
    const since = Date.now();
    await product.say("partner", owner, "/stats", /Отменено/);
    await product.waitForMessage("partner", owner.id, /За какой период/, since);
    // The flow is gone: a number now is not an answer to anything.
    await product.say("partner", owner, "R-1", /Кнопки внизу/);
    expect(await rowCounts(db)).toEqual(before);
  });

  it("/start mid-flow cancels it and shows the till's menu", async () => {
    await setup();
    await toAmountStep();
    const since = Date.now();
    await product.say("partner", owner, "/start", /Отменено/);
    await product.waitForMessage("partner", owner.id, /касса готова/, since);
    expect(replyKeyboardOf(/касса готова/)).toContain("➕ Начислить");
    // Nothing of the old flow remains: an amount is not taken.
    await product.say("partner", owner, "1500", /Кнопки внизу/);
  });

  it("a 20-digit amount (a barcode scanned into the field) is too large, not 'not positive'", async () => {
    await setup();
    await toAmountStep();
    await product.say("partner", owner, "46001234567890123456", /Слишком большая сумма/);
    await product.say("partner", owner, "1500", /Номер чека/);
  });

  it("a second /apply while an application is pending says so at once, before the form", async () => {
    const applicant: User = { id: 541, first_name: "Пётр" };
    await submitApplication(db, { telegramId: applicant.id, name: "Цветы", category: "shop", address: "Ленина, 1", contactName: "Пётр", phone: "+79990000001" });
    const before = await rowCounts(db);
    await product.say("partner", applicant, "/apply", /заявка на рассмотрении/);
    expect(product.fake.messagesTo(tokens.partner, applicant.id).filter((m) => /называется/.test(m.text ?? ""))).toEqual([]);
    expect(await rowCounts(db)).toEqual(before);
  });

  it("in the admin bot too: /stats while a rejection waits for its reason leaves it and shows the statistics", async () => {
    await submitApplication(db, { telegramId: 777, name: "Ещё кафе", category: "cafe", address: "Садовая, 7", contactName: "Ян", phone: "+79990009999" });
    await product.say("admin", admin, "/queue", /Ещё кафе/);
    await product.press("admin", admin, /Отклонить/, /Причина отказа/);
    const before = await rowCounts(db);
    const since = Date.now();
    await product.say("admin", admin, "/stats", /Отменено/);
    await product.waitForMessage("admin", admin.id, /Сеть за/, since);
    expect(await rowCounts(db)).toEqual(before);
  });
});

describe("the receipt step refuses what the core would refuse", () => {
  it("a receipt of only a zero-width space is refused at the step; R‑100 and R-100 are one receipt", async () => {
    await setup();
    await toAmountStep();
    await product.say("partner", owner, "1500", /Номер чека/);
    await product.say("partner", owner, "\u200B", /нет видимых символов/);
    // The question stands, and the flow goes on to the end.
    await product.say("partner", owner, "R\u2011100", /Начислить клиенту.*R-100/s);
    await product.press("partner", owner, /Подтвердить/, /Начислено/);
    // The same check again, typed with an ordinary hyphen: found, not paid twice.
    await product.accrueAs(owner, "+79160000005", "1500", "R-100", /уже был проведён/);
    const rows = await db.select().from(purchases).where(eq(purchases.receiptNumber, "R-100"));
    expect(rows).toHaveLength(1);
  });
});
