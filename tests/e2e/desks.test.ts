import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, clients, partners } from "../../db/schema/index.js";
import { registerClient } from "../../core/clients/service.js";
import { balanceOf } from "../../core/ledger/post.js";
import { getNetworkSettings } from "../../core/settings/service.js";
import { moderateApplication, submitApplication } from "../../core/partners/service.js";
import { tokens, testAdminId } from "../helpers/processes.js";
import { useProduct, type User } from "./harness.js";
import { testAppSecret } from "../helpers/env.js";

const product = useProduct();
const { db } = product;

const owner: User = { id: 505, first_name: "Мария" };
const cashier: User = { id: 506, first_name: "Кассир" };
const admin: User = { id: testAdminId, first_name: "Админ" };
const alice: User = { id: 631, first_name: "Алиса" };

async function setup() {
  const p = await submitApplication(db, { telegramId: owner.id, name: "Книжный", category: "shop", address: "Литейный, 3", contactName: "Мария", phone: "+79990004455" });
  await moderateApplication(db, { adminTelegramId: testAdminId, partnerId: p.id, verdict: { decision: "approve" } });
  const { client } = await registerClient(db, { telegramId: alice.id, firstName: "Алиса", phone: "+79160000007" }, { appSecret: testAppSecret });
  return { partnerId: p.id, clientId: client.id };
}

describe("the partner's desk", () => {
  it("the owner changes the bronze rate; a bad percentage is asked again; the next accrual uses the new rate", async () => {
    await setup();
    await product.say("partner", owner, "/settings", /бронза 5%/);
    await product.press("partner", owner, /Кэшбэк: бронза/, /Кэшбэк для уровня «Бронза»/);
    await product.say("partner", owner, "60", /процент от 0 до 50/);
    await product.say("partner", owner, "7,5", /Сохранено/);
    await product.accrueAs(owner, "+79160000007", "1000", "S-1", /Начислено 75 баллов/);
  });

  it("the client's one-time code from /code finds them at the till", async () => {
    await setup();
    const shown = await product.say("client", alice, "/code", /Ваш код для кассы: \d{6}/);
    const code = /(\d{6})/.exec(String(shown.call.params.text))![1]!;
    await product.accrueAs(owner, code, "400", "CODE-1", /Начислено 20 баллов клиенту Алиса/);
    await product.say("partner", owner, "/find", /Клиент: введите/);
    await product.say("partner", owner, "000000", /Клиент не найден/);
  });

  it("staff: the owner invites a cashier by a one-time link; the cashier accrues but sees settings read-only; once removed, they are a stranger", async () => {
    await setup();
    await product.say("partner", owner, "/staff", /Сотрудники/);
    await product.press("partner", owner, /Пригласить кассира/, /start=staff_/);
    const [link] = product.fake.messagesTo(tokens.partner, owner.id).filter((m) => /start=staff_/.test(m.text ?? "")).slice(-1);
    const token = /start=(staff_[A-Za-z0-9]+)/.exec(link!.text!)![1]!;
    await product.say("partner", cashier, `/start ${token}`, /Вы теперь кассир заведения «Книжный»/);
    await product.say("partner", { id: 507, first_name: "Чужой" }, `/start ${token}`, /недействительна или уже использована/);
    await product.accrueAs(cashier, "+79160000007", "500", "C-1", /Начислено 25 баллов/);
    await product.say("partner", cashier, "/settings", /Настройки/);
    expect(product.fake.messagesTo(tokens.partner, cashier.id).at(-1)?.reply_markup).toBeUndefined();
    await product.say("partner", owner, "/staff", /506 — кассир/);
    await product.press("partner", owner, /506/);
    await product.fake.waitFor(tokens.partner, (c) => c.method === "answerCallbackQuery" && /Сотрудник удалён/.test(String(c.params.text)));
    await product.say("partner", cashier, "/accrue", /Это бот для партнёров/);
  });

  it("statistics and promotions: numbers for 7 days; a promotion is shown to clients and can be deleted", async () => {
    await setup();
    await product.accrueAs(owner, "+79160000007", "1000", "P-1", /Начислено 50 баллов/);
    await product.accrueAs(owner, "+79160000007", "3000", "P-2", /Начислено 150 баллов/);
    await product.say("partner", owner, "/stats", /За какой период/);
    await product.press("partner", owner, /7 дней/, /7 дней:\n.*Оборот: 4\s000 ₽, чеков: 2, средний чек: 2\s000 ₽[\s\S]*начислено 200/);
    await product.say("partner", owner, "/newpromo", /Заголовок акции/);
    await product.say("partner", owner, "Скидка на классику", /Текст акции/);
    await product.say("partner", owner, "Весь ноябрь -10% на русскую классику", /Когда идёт акция/);
    await product.say("partner", owner, new Intl.DateTimeFormat("ru-RU", { timeZone: "Europe/Moscow" }).format(new Date(Date.now() + 30 * 86_400_000)), /Пришлите картинку/);
    await product.press("partner", owner, /Без картинки/, /опубликована/);
    await product.say("client", alice, "/promotions", /Книжный: Скидка на классику/);
    const fmt = new Intl.DateTimeFormat("ru-RU", { day: "2-digit", month: "2-digit", year: "numeric", timeZone: "Europe/Moscow" });
    const period = `с ${fmt.format(new Date())} по ${fmt.format(new Date(Date.now() + 30 * 86_400_000))}`;
    await product.say("partner", owner, "/promotions", new RegExp(`Ваши акции \\(1\\)[^\\n]*\\n• Скидка на классику: ${period}`));
    await product.press("partner", owner, /Скидка на классику/);
    await product.fake.waitFor(tokens.partner, (c) => c.method === "answerCallbackQuery" && /Акция удалена/.test(String(c.params.text)));
    await product.say("client", alice, "/promotions", /акций нет/);
  });
});

describe("the admin's desk", () => {
  it("find a client, adjust the balance with a reason, block and unblock; every action in the audit log", async () => {
    const { clientId, partnerId } = await setup();
    await product.say("admin", admin, "/find +7 916 000-00-07", /Клиент № \d+: Алиса[\s\S]*Баланс: 100/);
    await product.press("admin", admin, /Корректировка/, /На сколько баллов/);
    await product.say("admin", admin, "ноль", /целое число со знаком/);
    await product.say("admin", admin, "+50", /Причина корректировки/);
    await product.say("admin", admin, "компенсация за ожидание", /Изменить баланс клиента/);
    await product.press("admin", admin, /Подтвердить/, /Баланс клиента: 150/);
    expect(await balanceOf(db, clientId)).toBe(150);

    await product.say("admin", admin, "/find +79160000007", /Клиент/);
    await product.press("admin", admin, /Заблокировать/, /Причина/);
    await product.say("admin", admin, "подозрение на мошенничество", /Заблокировано/);
    const [blocked] = await db.select().from(clients).where(eq(clients.id, clientId));
    expect(blocked!.status).toBe("blocked");
    await product.say("client", alice, "/balance", /заблокирован/);
    await product.say("admin", admin, "/find +79160000007", /Статус: заблокирован/);
    await product.press("admin", admin, /Разблокировать/, /Причина/);
    await product.say("admin", admin, "проверка пройдена", /Разблокировано/);
    await product.say("client", alice, "/balance", /Баланс: 150 баллов/);

    const [partner] = await db.select().from(partners).where(eq(partners.id, partnerId));
    await product.say("admin", admin, `/find ${partner!.code}`, /Партнёр № \d+: Книжный/);
    await product.press("admin", admin, /Заблокировать/, /Причина/);
    await product.say("admin", admin, "жалобы клиентов", /Заблокировано/);
    await product.say("partner", owner, "/accrue", /приостановлено/);

    await product.say("admin", admin, "/audit", /Последние действия/);
    const actions = (await db.select({ action: auditLog.action }).from(auditLog)).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(["ledger.adjust", "client.block", "client.unblock", "partner.block", "partner.approve"]));
    await product.say("admin", admin, "/stats", /Клиентов: 1[\s\S]*на счетах 150/);
    await product.say("admin", admin, "/approvals", /уходят без согласования/);
    await product.press("admin", admin, /Требовать согласование/, /ждут согласования администратора/);
    expect((await getNetworkSettings(db)).partnerBroadcastsNeedApproval).toBe(true);
  });
});
