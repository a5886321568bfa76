import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createBroadcast } from "../../core/broadcasts/service.js";
import { erasedTelegramHash } from "../../core/clients/service.js";
import { moderateApplication, submitApplication } from "../../core/partners/service.js";
import { updateNetworkSettings } from "../../core/settings/service.js";
import { clients, ledgerEntries } from "../../db/schema/index.js";
import { testAppSecret } from "../helpers/env.js";
import { testAdminId, tokens } from "../helpers/processes.js";
import { findDbTraces, findRedisTraces } from "../helpers/traces.js";
import { useProduct, type User } from "./harness.js";

const product = useProduct();
const { db } = product;

const owner: User = { id: 503, first_name: "Олег" };
const admin: User = { id: testAdminId, first_name: "Админ" };
/** Values found nowhere else in the test data, so any occurrence of one is a trace of this person. */
const person = { id: 5_917_346_281, first_name: "Ефросинья", last_name: "Заречная", username: "efrosinya_z", language_code: "ru" };
const phone = "+79165550123";
const needles = [String(person.id), phone.slice(-10), person.first_name, person.last_name, person.username];

describe("/delete_me leaves nothing that names the person", () => {
  it("after a client used the network's features and deleted their data, no table and no Redis key holds their Telegram id, phone or name; rejoining pays no second welcome bonus", async () => {
    const application = await submitApplication(db, { telegramId: owner.id, name: "Салон Лилия", category: "beauty", address: "Невский, 10", contactName: "Олег", phone: "+79990002233" });
    const partner = await moderateApplication(db, { adminTelegramId: testAdminId, partnerId: application.id, verdict: { decision: "approve" } });
    await updateNetworkSettings(db, { adminTelegramId: testAdminId, patch: { npsDelayMinutes: 0 } });

    // Joins through the partner's link without a phone; the cashier registers the phone at the till; the person claims it with /phone.
    await product.say("client", person, `/start p_${partner.code}`, /Выберите язык/);
    await product.press("client", person, /Русский/, /номером/);
    await product.say("client", person, "Пропустить", /Добро пожаловать/);
    await product.say("partner", owner, "/accrue", /Клиент: введите/);
    await product.say("partner", owner, "8 916 555-01-23", /ещё нет в сети/);
    await product.press("partner", owner, /Зарегистрировать клиента/, /Сумма чека/);
    await product.say("partner", owner, "1000", /Номер чека/);
    await product.say("partner", owner, "P-1", /Начислить клиенту/);
    await product.press("partner", owner, /Подтвердить/, /Начислено 50 баллов/);
    await product.say("client", person, "/phone", /поделиться своим номером/);
    let since = Date.now();
    product.fake.sendContact(tokens.client, person, phone);
    await product.waitForMessage("client", person.id, /баллы перенесены/, since);

    // The till code; an accrual by it whose notification fails once with an error naming the chat; the NPS question and a comment.
    const shown = await product.say("client", person, "/code", /Ваш код для кассы: \d{6}/);
    const code = /(\d{6})/.exec(String(shown.call.params.text))![1]!;
    product.fake.failNext(tokens.client, "sendMessage", { error_code: 400, description: `Bad Request: chat ${person.id} (${phone}) is deactivated` });
    since = Date.now();
    await product.accrueAs(owner, code, "2000", "P-2", /Начислено 100 баллов/);
    await product.waitForMessage("client", person.id, /Как вам визит/, since);
    await product.press("client", person, /^3$/, /Ваша оценка: 3/);
    await product.waitForMessage("client", person.id, /Расскажите, что именно/, since);
    await product.say("client", person, `${person.first_name} ${person.last_name}, ${phone}: долго ждала`, /партнёр получит ваш отзыв/);

    // A redemption the person confirms, a broadcast that reaches them, and lookups by phone at the till and by an admin.
    await product.say("partner", owner, "/redeem", /Клиент: введите/);
    await product.say("partner", owner, phone, /Сумма чека/);
    await product.say("partner", owner, "1000", /Сколько баллов списать/);
    since = Date.now();
    await product.say("partner", owner, "30", /Запрос.*отправлен/);
    await product.waitForMessage("client", person.id, /просит списать/, since);
    await product.press("client", person, /Подтвердить/, /Списано 30 баллов/);
    since = Date.now();
    await createBroadcast(db, { sender: { kind: "admin", telegramId: testAdminId }, audience: {}, text: "Скидки всю неделю", progressChatId: testAdminId, idempotencyKey: "privacy-test" });
    await product.waitForMessage("client", person.id, /Скидки всю неделю/, since, 20_000);
    await product.say("admin", admin, `/find ${phone}`, /Клиент № /);
    await product.say("partner", owner, "/find", /Клиент: введите/);
    await product.say("partner", owner, phone, /[\s\S]/);

    // The scan can see the person before the deletion (so an empty result after it means something).
    const before = await findDbTraces(db, needles);
    const places = new Set(before.map((t) => t.where));
    for (const column of ["public.clients.telegram_id", "public.clients.phone", "public.clients.first_name", "public.clients.username", "public.user_settings.telegram_id", "public.broadcast_deliveries.chat_id", "public.nps_ratings.comment"]) {
      expect(places, column).toContain(column);
    }
    expect((await findRedisTraces(product.redis, needles)).length).toBeGreaterThan(0);

    await product.say("client", person, "/delete_me", /Удалить ваши данные/);
    const pressed = await product.press("client", person, /^Удалить$/, /Ваши данные удалены/);
    await product.handled("client", pressed.updateId);
    await new Promise((r) => setTimeout(r, 1_000)); // let the worker finish whatever it had in hand

    expect(await findDbTraces(db, needles)).toEqual([]);
    expect(await findRedisTraces(product.redis, needles)).toEqual([]);

    // What is kept is an HMAC keyed with APP_SECRET, not an unkeyed hash anyone can reverse by trying every id.
    const [deleted] = await db.select().from(clients).where(eq(clients.status, "deleted"));
    expect(deleted!.erasedTelegramHash).toBe(erasedTelegramHash(testAppSecret, person.id));
    expect(deleted!.erasedTelegramHash).not.toBe(createHash("sha256").update(`cashback-network:telegram:${person.id}`).digest("hex"));
    expect(erasedTelegramHash("another-secret-another-secret-0123456789", person.id)).not.toBe(deleted!.erasedTelegramHash);

    // Coming back: a new client row, no second welcome bonus.
    await product.say("client", person, "/start", /Выберите язык/);
    await product.press("client", person, /Русский/, /номером/);
    await product.say("client", person, "Пропустить", /Добро пожаловать/);
    const [back] = await db.select().from(clients).where(eq(clients.telegramId, person.id));
    expect(back!.id).not.toBe(deleted!.id);
    expect(await db.select().from(ledgerEntries).where(eq(ledgerEntries.clientId, back!.id))).toEqual([]);
  });
});
