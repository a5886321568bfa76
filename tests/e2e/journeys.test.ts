import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { clients, ledgerEntries, partners, purchases } from "../../db/schema/index.js";
import { tokens, testAdminId } from "../helpers/processes.js";
import { useProduct, type User } from "./harness.js";

const product = useProduct();
const { db } = product;

const owner: User = { id: 501, first_name: "Анна" };
const admin: User = { id: testAdminId, first_name: "Админ" };
const alice: User = { id: 601, first_name: "Алиса" };

/** Partner applies in the partner bot, the admin approves from the notification; returns the partner's code. */
async function onboardPartner(): Promise<string> {
  await product.say("partner", owner, "/start", /\/apply/);
  await product.say("partner", owner, "/apply", /называется/);
  await product.say("partner", owner, "Кофейня Ромашка", /категорию/);
  await product.press("partner", owner, /Кафе/, /Адрес/);
  await product.say("partner", owner, "Москва, Тверская, 1", /контактное лицо/);
  await product.say("partner", owner, "Анна Петрова", /Телефон/);
  await product.say("partner", owner, "8 999 000-11-22", /Проверьте заявку/);
  const applied = Date.now();
  await product.press("partner", owner, /Подтвердить/, /Заявка отправлена/);
  // Admins are told at once, with the buttons to decide.
  await product.waitForMessage("admin", admin.id, /Новая заявка партнёра/, applied);
  const approved = Date.now();
  await product.press("admin", admin, /Одобрить/, /Одобрено/);
  await product.waitForMessage("partner", owner.id, /заявка одобрена/, approved);
  const [partner] = await db.select().from(partners);
  expect(partner!.status).toBe("approved");
  return partner!.code;
}

/** A client joins through a link (`payload`), chooses Russian and shares their phone. */
async function joinClient(user: User, payload: string, phone: string) {
  await product.say("client", user, `/start ${payload}`, /Выберите язык/);
  await product.press("client", user, /Русский/, /Поделитесь номером/);
  const since = Date.now();
  product.fake.sendContact(tokens.client, user, phone);
  await product.waitForMessage("client", user.id, /Добро пожаловать в сеть/, since);
}

describe("end to end, with every process running against a fake Bot API", () => {
  it("partner applies → admin approves → a client joins through the partner's link → the partner accrues → the client is notified", async () => {
    const code = await onboardPartner();
    await product.say("partner", owner, "/link", new RegExp(`start=p_${code}`));
    await joinClient(alice, `p_${code}`, "+79161112233");
    const [client] = await db.select().from(clients).where(eq(clients.telegramId, alice.id));
    expect(client).toMatchObject({ phone: "+79161112233", language: "ru" });
    const [partner] = await db.select().from(partners);
    expect(client!.sourcePartnerId).toBe(partner!.id);

    const accrued = Date.now();
    await product.accrueAs(owner, "+7 916 111-22-33", "1500", "A-1", /Начислено 75 баллов/);
    await product.waitForMessage("client", alice.id, /\+75 баллов от «Кофейня Ромашка»\. Баланс: 175\./, accrued);
    await product.say("client", alice, "/balance", /Баланс: 175 баллов/);
  });

  it("a partner process killed mid-accrual continues where it was after a restart, and accrues exactly once", async () => {
    const code = await onboardPartner();
    await joinClient(alice, `p_${code}`, "+79161112233");
    await product.say("partner", owner, "/accrue", /Клиент: введите телефон/);
    await product.say("partner", owner, "+79161112233", /Сумма чека/);
    const { updateId } = await product.say("partner", owner, "2000", /Номер чека/);
    // Killed while the conversation waits for the receipt number (its state saved in Redis).
    await product.handled("partner", updateId);
    await product.process("partner").kill();
    await product.startProcess("partner");

    await product.say("partner", owner, "K-7", /Начислить клиенту Алиса кэшбэк за чек № K-7 на 2\s000 ₽/);
    const confirm = await product.press("partner", owner, /Подтвердить/, /Начислено 100 баллов/);
    await product.handled("partner", confirm.updateId);
    // Telegram delivering the confirmation again changes nothing.
    const since = Date.now();
    product.fake.redeliver(tokens.partner, confirm.updateId);
    await new Promise((r) => setTimeout(r, 1_500));
    const again = product.fake.calls(tokens.partner).filter((c) => c.at >= since && c.method === "sendMessage");
    expect(again).toEqual([]);
    const accruals = await db.select().from(purchases).where(eq(purchases.receiptNumber, "K-7"));
    expect(accruals).toHaveLength(1);
    const [{ n }] = (await db.execute<{ n: string }>(sql`SELECT count(*) AS n FROM ledger_entries WHERE kind = 'accrual'`)) as unknown as [{ n: string }];
    expect(Number(n)).toBe(1);
  });

  it("a redemption confirmed in the client bot; another declined; both sides told", async () => {
    const code = await onboardPartner();
    await joinClient(alice, `p_${code}`, "+79161112233");
    await product.say("partner", owner, "/redeem", /Клиент: введите телефон/);
    await product.say("partner", owner, "+79161112233", /Сумма чека/);
    await product.say("partner", owner, "1000", /Не больше 100/);
    let since = Date.now();
    await product.say("partner", owner, "80", /Запрос № 1 отправлен/);
    await product.waitForMessage("client", alice.id, /просит списать 80 баллов/, since);
    since = Date.now();
    await product.press("client", alice, /Подтвердить/, /Списано 80 баллов\. Остаток: 20\./);
    await product.waitForMessage("partner", owner.id, /Клиент Алиса \(\+7916\*\*\*-\*\*-33\) подтвердил списание 80 баллов \(запрос № 1\)/, since);

    await product.say("partner", owner, "/redeem", /Клиент: введите телефон/);
    await product.say("partner", owner, "+79161112233", /Сумма чека/);
    await product.say("partner", owner, "1000", /Не больше 20/);
    since = Date.now();
    await product.say("partner", owner, "20", /Запрос № 2 отправлен/);
    await product.waitForMessage("client", alice.id, /просит списать 20 баллов/, since);
    since = Date.now();
    await product.press("client", alice, /Отмена/, /отклонено/);
    await product.waitForMessage("partner", owner.id, /Клиент Алиса \(\+7916\*\*\*-\*\*-33\) отклонил списание 20 баллов \(запрос № 2\)/, since);
    const [client] = await db.select().from(clients).where(eq(clients.telegramId, alice.id));
    const rows = await db.select().from(ledgerEntries).where(and(eq(ledgerEntries.clientId, client!.id), eq(ledgerEntries.kind, "redemption")));
    expect(rows.map((r) => r.points)).toEqual([-80]);
  });
});
