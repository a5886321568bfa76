import { describe, expect, it } from "vitest";
import { registerClient } from "../../core/clients/service.js";
import { moderateApplication, submitApplication } from "../../core/partners/service.js";
import { rowCounts } from "../helpers/db.js";
import { tokens, testAdminId } from "../helpers/processes.js";
import { useProduct, type User } from "./harness.js";
import { testAppSecret } from "../helpers/env.js";

// The worker is left out on purpose: nothing here may even queue a message.
const product = useProduct(["client", "partner", "admin"]);
const { db } = product;

const owner: User = { id: 503, first_name: "Ирина" };
const alice: User = { id: 621, first_name: "Алиса" };

async function setup() {
  const p = await submitApplication(db, { telegramId: owner.id, name: "Пекарня", category: "cafe", address: "Арбат, 5", contactName: "Ирина", phone: "+79990003344" });
  await moderateApplication(db, { adminTelegramId: testAdminId, partnerId: p.id, verdict: { decision: "approve" } });
  await registerClient(db, { telegramId: alice.id, firstName: "Алиса", phone: "+79160000005" }, { appSecret: testAppSecret });
}

const sendPhoto = async (user: User, expect: RegExp) => {
  const since = Date.now();
  product.fake.sendPhotoMessage(tokens.partner, user);
  return product.waitForMessage("partner", user.id, expect, since);
};

describe("bad input in conversations", () => {
  it("accrual: every wrong answer gets a clear message and the question stands; nothing is written", async () => {
    await setup();
    const before = await rowCounts(db);
    await product.say("partner", owner, "/accrue", /Клиент: введите/);
    await product.say("partner", owner, "абвгд", /Клиент не найден/);
    await sendPhoto(owner, /телефон, код клиента или ссылку текстом/);
    await product.say("partner", owner, "x".repeat(5_000), /телефон, код клиента или ссылку текстом/);
    await product.say("partner", owner, "+7 916 000-00-05", /Сумма чека/);
    for (const bad of ["много", "-100", "0", "0,00", "1.234", "1e5"]) {
      await product.say("partner", owner, bad, /Введите сумму в рублях больше нуля/);
    }
    await product.say("partner", owner, "10000001", /не больше 10\s000\s000 ₽/);
    // A barcode scanned into the field is too large, not "not positive".
    await product.say("partner", owner, "12345678901234567890", /не больше 10\s000\s000 ₽/);
    await sendPhoto(owner, /ответьте текстом/);
    await product.say("partner", owner, "9".repeat(5_000), /не больше 1\s000 символов/);
    await product.say("partner", owner, "1 500,50", /Номер чека/);
    await product.say("partner", owner, "R".repeat(65), /не больше 64 символов/);
    await product.say("partner", owner, "/balance", /Такой команды здесь нет/);
    await product.say("partner", owner, "\u200B\u200B", /нет видимых символов/);
    await product.say("partner", owner, "/cancel", /Отменено/);
    expect(await rowCounts(db)).toEqual(before);
    // After a cancel the till works as usual.
    await product.say("partner", owner, "/accrue", /Клиент: введите/);
  });

  it.each([0, 1, 2, 3])("accrual: /cancel after %i answers ends it cleanly and writes nothing", async (answered) => {
    await setup();
    const before = await rowCounts(db);
    const answers: [string, RegExp][] = [
      ["+79160000005", /Сумма чека/],
      ["1500", /Номер чека/],
      ["R-1", /Начислить клиенту/],
    ];
    await product.say("partner", owner, "/accrue", /Клиент: введите/);
    for (const [text, next] of answers.slice(0, answered)) await product.say("partner", owner, text, next);
    await product.say("partner", owner, "/cancel", /Отменено/);
    expect(await rowCounts(db)).toEqual(before);
    // A button from the cancelled confirmation is stale now and acts on nothing.
    if (answered === 3) {
      await product.press("partner", owner, /Подтвердить/);
      await product.fake.waitFor(tokens.partner, (c) => c.method === "answerCallbackQuery" && /больше не действует/.test(String(c.params.text)));
      expect(await rowCounts(db)).toEqual(before);
    }
  });

  it("a Yes left on an older confirmation does not confirm the accrual being asked now", async () => {
    await setup();
    const before = await rowCounts(db);
    await product.say("partner", owner, "/accrue", /Клиент: введите/);
    await product.say("partner", owner, "+79160000005", /Сумма чека/);
    await product.say("partner", owner, "100", /Номер чека/);
    await product.say("partner", owner, "OLD-1", /Начислить клиенту.*OLD-1/);
    const old = product.fake.messagesTo(tokens.partner, owner.id).filter((m) => /OLD-1/.test(m.text ?? "")).at(-1)!;
    await product.say("partner", owner, "/cancel", /Отменено/);
    await product.say("partner", owner, "/accrue", /Клиент: введите/);
    await product.say("partner", owner, "+79160000005", /Сумма чека/);
    await product.say("partner", owner, "99999", /Номер чека/);
    await product.say("partner", owner, "NEW-1", /Начислить клиенту.*NEW-1/);
    const since = Date.now();
    product.fake.pressButton(tokens.partner, owner, "ok:yes", { message_id: old.message_id, chat_id: owner.id });
    await product.fake.waitFor(tokens.partner, (c) => c.at >= since && c.method === "answerCallbackQuery" && /больше не действует/.test(String(c.params.text)));
    expect(await rowCounts(db)).toEqual(before);
  });

  it("redemption: more than the cap or the balance, letters and zero are refused; /cancel writes nothing", async () => {
    await setup();
    const before = await rowCounts(db);
    await product.say("partner", owner, "/redeem", /Клиент: введите/);
    await product.say("partner", owner, "+79160000005", /Сумма чека/);
    await product.say("partner", owner, "100", /Не больше 30 \(баланс 100, до 30% чека\)/);
    for (const bad of ["31", "0", "-5", "десять", "1.5"]) await product.say("partner", owner, bad, /(Введите число от 1 до 30|Введите целое число)/);
    await product.say("partner", owner, "/cancel", /Отменено/);
    expect(await rowCounts(db)).toEqual(before);
  });

  it("application: /cancel at the phone step writes nothing; a bad phone is asked again", async () => {
    const applicant: User = { id: 504, first_name: "Пётр" };
    const before = await rowCounts(db);
    await product.say("partner", applicant, "/apply", /называется/);
    await product.say("partner", applicant, "Я", /хотя бы 2 символа/);
    await product.say("partner", applicant, "Цветы у дома", /категорию/);
    await product.say("partner", applicant, "магазин", /выберите вариант кнопкой/);
    await product.press("partner", applicant, /Магазин/, /Адрес/);
    await product.say("partner", applicant, "Ленина, 1", /контактное лицо/);
    await product.say("partner", applicant, "Пётр", /Телефон/);
    await product.say("partner", applicant, "позвоните мне", /Не похоже на номер телефона/);
    await product.say("partner", applicant, "/cancel", /Отменено/);
    expect(await rowCounts(db)).toEqual(before);
  });

  it.each([
    ["partner", "new promotion", ["/newpromo"], /Заголовок акции/],
    ["partner", "new service", ["/newservice", "Стрижка"], /Цена/],
    ["partner", "a setting", ["/settings"], /Кэшбэк для уровня/],
    ["admin", "a balance adjustment", ["/find +79160000005"], /На сколько баллов/],
    ["admin", "a rejection reason", [], /Причина отказа/],
  ] as const)("%s bot, %s: a photo or 5,000 characters get a clear answer; /cancel ends it and writes nothing", async (bot, flow, steps, prompt) => {
    await setup();
    const sender = bot === "admin" ? { id: testAdminId, first_name: "Админ" } : owner;
    if (flow === "a rejection reason") {
      await submitApplication(db, { telegramId: 777, name: "Ещё кафе", category: "cafe", address: "Садовая, 7", contactName: "Ян", phone: "+79990009999" });
      await product.say("admin", sender, "/queue", /Ещё кафе/);
      await product.press("admin", sender, /Отклонить/, prompt);
    }
    for (const [i, step] of steps.entries()) await product.say(bot, sender, step, i === steps.length - 1 && !/settings|find/.test(step) ? prompt : /./);
    if (flow === "a setting") await product.press("partner", sender, /Кэшбэк: бронза/, prompt);
    if (flow === "a balance adjustment") await product.press("admin", sender, /Корректировка/, prompt);
    const before = await rowCounts(db);
    const since = Date.now();
    product.fake.sendPhotoMessage(tokens[bot], sender);
    await product.waitForMessage(bot, sender.id, /ответьте текстом/, since);
    await product.say(bot, sender, "я".repeat(5_000), /Слишком длинно|не больше/);
    await product.say(bot, sender, "/cancel", /Отменено/);
    expect(await rowCounts(db)).toEqual(before);
  });

  it("client onboarding: /cancel before the end registers nobody; someone else's contact is refused", async () => {
    const before = await rowCounts(db);
    const bob: User = { id: 622, first_name: "Боб" };
    await product.say("client", bob, "/start", /Выберите язык/);
    await product.say("client", bob, "русский", /выберите вариант кнопкой/);
    await product.press("client", bob, /Русский/, /Поделитесь номером/);
    const since = Date.now();
    product.fake.pushUpdate(tokens.client, { message: { message_id: 9_999, date: Math.floor(Date.now() / 1000), chat: { id: bob.id, type: "private", first_name: "Боб" }, from: { id: bob.id, is_bot: false, first_name: "Боб" }, contact: { phone_number: "+79990000000", first_name: "Чужой", user_id: 12345 } } });
    await product.waitForMessage("client", bob.id, /свой собственный номер/, since);
    await product.say("client", bob, "/cancel", /Отменено/);
    const after = await rowCounts(db);
    // Only the language choice was kept (it is a preference, not an account).
    expect({ ...after, user_settings: before.user_settings }).toEqual(before);
    await product.say("client", bob, "/balance", /присоединитесь к сети/);
  });
});
