import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { addStaff, moderateApplication, submitApplication } from "../../core/partners/service.js";
import { clients, codeAttemptFailures, ledgerEntries, redemptionRequests } from "../../db/schema/index.js";
import { testAdminId, tokens } from "../helpers/processes.js";
import { useProduct, type User } from "./harness.js";

const product = useProduct(["client", "partner", "worker"]);
const { db } = product;

const owner: User = { id: 521, first_name: "Ольга" };
const cashier: User = { id: 522, first_name: "Кассир" };
const alice: User = { id: 621, first_name: "Алиса" };
const phone = "+79160000021";
/** How the partner bot shows Алиса once chosen for an operation: first name and a masked phone ("Алиса, +7916***-**-21" or "Алиса (+7916***-**-21)"). */
const aliceShown = "Алиса,? \\(?\\+7916\\*\\*\\*-\\*\\*-21\\)?";

/** A partner with its owner and one cashier (two tills), and Алиса with 100 points from the welcome bonus. */
async function twoTills() {
  const applied = await submitApplication(db, { telegramId: owner.id, name: "Пекарня", category: "cafe", address: "Лесная, 3", contactName: "Ольга", phone: "+79990003344" });
  const partner = await moderateApplication(db, { adminTelegramId: testAdminId, partnerId: applied.id, verdict: { decision: "approve" } });
  await addStaff(db, { partnerId: partner.id, ownerTelegramId: owner.id, telegramId: cashier.id });
  await product.say("client", alice, `/start p_${partner.code}`, /Выберите язык|Choose a language/);
  await product.press("client", alice, /Русский/, /номером/);
  const since = Date.now();
  product.fake.sendContact(tokens.client, alice, phone);
  await product.waitForMessage("client", alice.id, /Добро пожаловать/, since);
  const [client] = await db.select().from(clients).where(eq(clients.telegramId, alice.id));
  return { partner, clientId: client!.id };
}

/** A till asks to spend `points` of Алиса's on a 1,000 ₽ check; returns the request number it was shown and the client's question. */
async function requestAt(till: User, points: number) {
  await product.say("partner", till, "/redeem", /Клиент: введите/);
  await product.say("partner", till, phone, /Сумма чека/);
  await product.say("partner", till, "1000", /Сколько баллов списать/);
  const since = Date.now();
  const sent = await product.say("partner", till, String(points), /Запрос № \d+ отправлен/);
  const number = Number(/Запрос № (\d+) отправлен/.exec(String(sent.call.params.text))![1]);
  const asked = await product.waitForMessage("client", alice.id, new RegExp(`просит списать ${points} балл`), since);
  return { number, asked };
}

const textsTo = (user: User, since: number) =>
  product.fake
    .calls(tokens.partner)
    .filter((c) => c.at >= since && c.method === "sendMessage" && Number(c.params.chat_id) === user.id)
    .map((c) => String(c.params.text));

describe("redemption at two tills of one partner", () => {
  it("the second till's request replaces the first: the first cashier is told at once, the client's old button says why, and the confirmation goes only to the till that asked, naming the client", async () => {
    const { clientId } = await twoTills();
    const start = Date.now();
    const first = await requestAt(cashier, 30);
    const second = await requestAt(owner, 40);
    expect(second.number).not.toBe(first.number);

    // The first cashier learns at once that their request will spend nothing.
    await product.waitForMessage("partner", cashier.id, new RegExp(`Запрос № ${first.number} \\(клиент ${aliceShown}, 30 баллов\\) заменён новым запросом № ${second.number}`), start);

    // Алиса presses Confirm on the old question: told it was replaced, not "already decided"; nothing spent.
    const oldQuestion = first.asked.result as { message_id: number };
    const oldData = (first.asked.params.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard.flat().find((b) => /Подтвердить/.test(b.text))!.callback_data;
    const pressed = Date.now();
    product.fake.pressButton(tokens.client, alice, oldData, { message_id: oldQuestion.message_id, chat_id: alice.id });
    const answer = await product.fake.waitFor(tokens.client, (c) => c.at >= pressed && c.method === "answerCallbackQuery");
    expect(String(answer.params.text)).toMatch(new RegExp(`заменён новым запросом № ${second.number}`));
    expect(await db.select().from(ledgerEntries).where(and(eq(ledgerEntries.clientId, clientId), eq(ledgerEntries.kind, "redemption")))).toEqual([]);

    // Алиса confirms the new one: the till that asked is told, naming her and its request number; the other till is not.
    const confirmed = Date.now();
    await product.press("client", alice, /Подтвердить/, /Списано 40 баллов/);
    await product.waitForMessage("partner", owner.id, new RegExp(`Клиент ${aliceShown} подтвердил списание 40 баллов \\(запрос № ${second.number}\\)`), confirmed);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(textsTo(cashier, confirmed)).toEqual([]);
    const spent = await db.select().from(ledgerEntries).where(and(eq(ledgerEntries.clientId, clientId), eq(ledgerEntries.kind, "redemption")));
    expect(spent.map((e) => [e.points, e.actorType])).toEqual([[-40, "client"]]);
  });

  it("a cashier guessing the client's code through the bot is stopped after 5 wrong codes: the request is cancelled, the client told, and the right code then spends nothing", async () => {
    const { clientId } = await twoTills();
    // A patient attacker: the bot's own rate limit is not what stops them.
    await product.process("partner").stop();
    await product.startProcess("partner", { RATE_LIMIT_MAX: "1000" });
    const { number, asked } = await requestAt(cashier, 30);
    const code = /код: (\d{6})/.exec(String(asked.params.text))![1]!;
    const wrong = (i: number) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, "0");

    await product.press("partner", cashier, /Ввести код/, new RegExp(`Код клиента для запроса № ${number}`));
    for (let i = 0; i < 4; i++) await product.say("partner", cashier, wrong(i), new RegExp(`Неверный код\\. Осталось попыток: ${4 - i}\\. Введите код ещё раз`));
    const locked = Date.now();
    await product.say("partner", cashier, wrong(4), /Запрос на списание отменён: слишком много неверных кодов/);
    await product.waitForMessage("client", alice.id, /Запрос на списание 30 баллов отменён: кассир слишком много раз ввёл неверный код/, locked);

    // Pressing the button again and typing the right code spends nothing, nor does the client's own button.
    await product.press("partner", cashier, /Ввести код/, /Код клиента/);
    await product.say("partner", cashier, code, /Запрос на списание отменён: слишком много неверных кодов/);
    const pressed = Date.now();
    await product.press("client", alice, /Подтвердить/);
    const answer = await product.fake.waitFor(tokens.client, (c) => c.at >= pressed && c.method === "answerCallbackQuery");
    expect(String(answer.params.text)).toMatch(/слишком много неверных кодов/);

    expect(await db.select().from(ledgerEntries).where(and(eq(ledgerEntries.clientId, clientId), eq(ledgerEntries.kind, "redemption")))).toEqual([]);
    const [request] = await db.select().from(redemptionRequests).where(eq(redemptionRequests.id, number));
    expect(request).toMatchObject({ status: "cancelled", wrongCodeAttempts: 5 });
    expect(await db.select().from(codeAttemptFailures)).toHaveLength(5);
  });
});
