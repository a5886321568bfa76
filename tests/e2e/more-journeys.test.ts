import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { clients, ledgerEntries, npsRatings, services } from "../../db/schema/index.js";
import { updateNetworkSettings } from "../../core/settings/service.js";
import { moderateApplication, submitApplication } from "../../core/partners/service.js";
import { tokens, testAdminId } from "../helpers/processes.js";
import { useProduct, type User } from "./harness.js";

const product = useProduct();
const { db } = product;

const owner: User = { id: 502, first_name: "Олег" };
const admin: User = { id: testAdminId, first_name: "Админ" };
const alice: User = { id: 611, first_name: "Алиса" };
const boris: User = { id: 612, first_name: "Борис", language_code: "en" };

async function approvedPartner() {
  const p = await submitApplication(db, { telegramId: owner.id, name: "Салон Лилия", category: "beauty", address: "Невский, 10", contactName: "Олег", phone: "+79990002233" });
  return moderateApplication(db, { adminTelegramId: testAdminId, partnerId: p.id, verdict: { decision: "approve" } });
}

async function join(user: User, payload: string, phone: string | null, language: RegExp = /Русский/) {
  await product.say("client", user, `/start ${payload}`.trim(), /Choose a language/);
  await product.press("client", user, language, /(Поделитесь|Share your) phone|номером/);
  const since = Date.now();
  if (phone) product.fake.sendContact(tokens.client, user, phone);
  else product.fake.sendText(tokens.client, user, language.test("Русский") ? "Пропустить" : "Skip");
  await product.waitForMessage("client", user.id, /(Добро пожаловать|Welcome) /, since);
}

describe("more journeys", () => {
  it("a friend's link: the referrer is paid after the friend's first purchase, once, and told in their language", async () => {
    const partner = await approvedPartner();
    await join(alice, `p_${partner.code}`, "+79160000001");
    const invite = await product.say("client", alice, "/invite", /start=r_/);
    expect(invite.call.method).toBe("sendPhoto");
    expect(invite.call.params.photo).toMatchObject({ filename: "invite-qr.png" });
    const code = /start=r_([A-Z0-9]+)/.exec(String(invite.call.params.caption))![1]!;

    await join(boris, `r_${code}`, "+79160000002", /English/);
    const before = Date.now();
    await product.accrueAs(owner, "+79160000002", "1000", "F-1", /Начислено 50 баллов/);
    await product.waitForMessage("client", alice.id, /Ваш друг совершил первую покупку — вам начислено 200 баллов/, before);
    await product.waitForMessage("client", boris.id, /\+50 points from "Салон Лилия"/, before);
    await product.accrueAs(owner, "+79160000002", "1000", "F-2", /Начислено 50 баллов/);
    const [a] = await db.select().from(clients).where(eq(clients.telegramId, alice.id));
    const bonuses = await db.select().from(ledgerEntries).where(eq(ledgerEntries.kind, "referral_bonus"));
    expect(bonuses.map((b) => [b.clientId, b.points])).toEqual([[a!.id, 200]]);
  });

  it("undo: the partner undoes an accrual, the client is told and the points are gone", async () => {
    const partner = await approvedPartner();
    await join(alice, `p_${partner.code}`, "+79160000001");
    await product.accrueAs(owner, "+79160000001", "1000", "U-1", /Начислено 50 баллов/);
    await product.say("partner", owner, "/undo", /Какую операцию отменить/);
    await product.press("partner", owner, /начисление 50/, /Отменить эту операцию/);
    const since = Date.now();
    await product.press("partner", owner, /Подтвердить/, /Операция отменена \(-50\)/);
    await product.waitForMessage("client", alice.id, /Операция отменена партнёром \(-50\)\. Баланс: 100/, since);
    // A second press on the same (now stale) button does nothing more.
    await product.press("partner", owner, /Подтвердить/, /уже отменена/);
    await product.say("client", alice, "/balance", /Баланс: 100 баллов/);
  });

  it("a service is invisible to clients until an admin approves it; the partner is told", async () => {
    await approvedPartner();
    await join(alice, "", null);
    await product.say("partner", owner, "/newservice", /Название услуги/);
    await product.say("partner", owner, "Стрижка", /Цена/);
    await product.say("partner", owner, "1500", /Описание/);
    const since = Date.now();
    await product.say("partner", owner, "Мужская стрижка машинкой и ножницами", /отправлена на проверку/);
    await product.say("client", alice, "/services", /Услуг пока нет/);
    await product.waitForMessage("admin", admin.id, /Новая услуга на модерации/, since);
    const approved = Date.now();
    await product.press("admin", admin, /Одобрить/, /Одобрено/);
    await product.waitForMessage("partner", owner.id, /Услуга «Стрижка» одобрена/, approved);
    await product.say("client", alice, "/services", /Салон Лилия: Стрижка — 1\s500 ₽/);
    const [s] = await db.select().from(services);
    expect(s!.status).toBe("approved");
  });

  it("a client deletes their data: asked first, then erased, points forfeited, the bot treats them as new", async () => {
    const partner = await approvedPartner();
    await join(alice, `p_${partner.code}`, "+79160000001");
    await product.say("client", alice, "/delete_me", /Удалить ваши данные\? .*ваши 100 баллов сгорят/);
    await product.press("client", alice, /Оставить/, /ничего не удалено/);
    await product.say("client", alice, "/delete_me", /Удалить ваши данные/);
    await product.press("client", alice, /^Удалить$/, /Ваши данные удалены/);
    const rows = await db.select().from(clients);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ telegramId: null, phone: null, firstName: null, status: "deleted" });
    const ledger = await db.select().from(ledgerEntries).where(eq(ledgerEntries.clientId, rows[0]!.id));
    expect(ledger.reduce((sum, e) => sum + e.points, 0)).toBe(0);
    await product.say("client", alice, "/balance", /присоединитесь к сети/);
  });

  it("rating a visit: the question comes after the visit, a low score asks for a comment that reaches the partner", async () => {
    const partner = await approvedPartner();
    await updateNetworkSettings(db, { adminTelegramId: testAdminId, patch: { npsDelayMinutes: 0 } });
    await join(alice, `p_${partner.code}`, "+79160000001");
    const since = Date.now();
    await product.accrueAs(owner, "+79160000001", "1000", "N-1", /Начислено 50 баллов/);
    await product.waitForMessage("client", alice.id, /Как вам визит в «Салон Лилия»/, since);
    await product.press("client", alice, /^3$/, /Ваша оценка: 3/);
    await product.waitForMessage("client", alice.id, /Расскажите, что именно/, since);
    const commented = Date.now();
    await product.say("client", alice, "Долго ждала мастера", /партнёр получит ваш отзыв/);
    await product.waitForMessage("partner", owner.id, /оценил визит на 3 из 10 и написал: «Долго ждала мастера»/, commented);
    // Pressing another score on the same question changes nothing.
    await product.press("client", alice, /^10$/);
    await product.fake.waitFor(tokens.client, (c) => c.method === "answerCallbackQuery" && /уже оценили/.test(String(c.params.text)));
    const ratings = await db.select().from(npsRatings);
    expect(ratings.map((r) => [r.score, r.comment])).toEqual([[3, "Долго ждала мастера"]]);
  });

  it("redemption: a double press confirms once; the cashier may instead type the client's one-time code", async () => {
    const partner = await approvedPartner();
    await join(alice, `p_${partner.code}`, "+79160000001");
    const requestOnce = async (points: string) => {
      await product.say("partner", owner, "/redeem", /Клиент: введите/);
      await product.say("partner", owner, "+79160000001", /Сумма чека/);
      await product.say("partner", owner, "1000", /Сколько баллов списать/);
      const since = Date.now();
      await product.say("partner", owner, points, /Запрос № \d+ отправлен/);
      return product.waitForMessage("client", alice.id, /просит списать/, since);
    };
    await requestOnce("30");
    const first = await product.press("client", alice, /Подтвердить/, /Списано 30 баллов/);
    const since = Date.now();
    product.fake.pressButton(tokens.client, alice, first.data);
    await product.fake.waitFor(tokens.client, (c) => c.at >= since && c.method === "answerCallbackQuery" && /уже есть решение/.test(String(c.params.text)));

    const ask = await requestOnce("20");
    const code = /код: (\d{6})/.exec(String(ask.params.text))![1]!;
    await product.press("partner", owner, /Ввести код/, /Код клиента/);
    await product.say("partner", owner, "12345", /6 цифр/);
    await product.say("partner", owner, code, /Списано 20 баллов\. Остаток у клиента: 50/);
    const [c] = await db.select().from(clients).where(eq(clients.telegramId, alice.id));
    const spent = await db.select().from(ledgerEntries).where(eq(ledgerEntries.clientId, c!.id));
    expect(spent.filter((e) => e.kind === "redemption").map((e) => e.points)).toEqual([-30, -20]);
  });

  it("a cashier registers an unknown phone during an accrual; the phone's owner opens the bot, shares it and finds the points", async () => {
    await approvedPartner();
    await product.say("partner", owner, "/accrue", /Клиент: введите/);
    await product.say("partner", owner, "8 916 555-01-01", /Клиента с номером \+79165550101 ещё нет в сети/);
    await product.press("partner", owner, /Зарегистрировать клиента/, /Сумма чека/);
    await product.say("partner", owner, "2000", /Номер чека/);
    await product.say("partner", owner, "PH-1", /Начислить клиенту/);
    await product.press("partner", owner, /Подтвердить/, /Начислено 100 баллов/);
    await join(alice, "", "+79165550101");
    await product.say("client", alice, "/balance", /Баланс: 200 баллов/); // 100 accrued + 100 welcome
    expect(await db.select().from(clients)).toHaveLength(1);
  });

  it("a client who skipped the phone shares it later with /phone: a cashier's accruals on that number become theirs", async () => {
    await approvedPartner();
    await join(alice, "", null);
    // The phone is unknown to the network, so the cashier registers it first.
    await product.say("partner", owner, "/accrue", /Клиент: введите/);
    await product.say("partner", owner, "+79165550102", /ещё нет в сети/);
    await product.press("partner", owner, /Зарегистрировать клиента/, /Сумма чека/);
    await product.say("partner", owner, "1000", /Номер чека/);
    await product.say("partner", owner, "PH-3", /Начислить клиенту/);
    await product.press("partner", owner, /Подтвердить/, /Начислено 50 баллов/);
    await product.say("client", alice, "/phone", /поделиться своим номером/);
    const since = Date.now();
    product.fake.sendContact(tokens.client, alice, "+79165550102");
    await product.waitForMessage("client", alice.id, /баллы перенесены\. Баланс: 150/, since);
    const rows = await db.select().from(clients);
    expect(rows.map((r) => r.status).sort()).toEqual(["active", "merged"]);
  });

  it("strangers: the partner bot offers to apply, the admin bot says it is for admins", async () => {
    const stranger: User = { id: 999, first_name: "Гость" };
    await product.say("partner", stranger, "привет", /отправьте \/apply/);
    await product.say("partner", stranger, "/stats", /отправьте \/apply/);
    await product.say("admin", stranger, "/queue", /для администраторов сети/);
    await product.say("admin", stranger, "/start", /для администраторов сети/);
  });
});
