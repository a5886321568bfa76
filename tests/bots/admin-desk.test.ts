import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { dedupeKey } from "../../bots/shared/middleware.js";
import { recomputeSegments } from "../../core/analytics/nightly.js";
import { setClientBlocked } from "../../core/clients/service.js";
import { accrue } from "../../core/ledger/service.js";
import { getNetworkSettings } from "../../core/settings/service.js";
import { chooseLanguage } from "../../core/users/service.js";
import { moderateApplication, submitApplication } from "../../core/partners/service.js";
import { auditLog, clients, ledgerEntries, partners } from "../../db/schema/index.js";
import { rowCounts, useTestDb } from "../helpers/db.js";
import { makeClient, makePartner } from "../helpers/fixtures.js";
import { useFakeTelegram } from "../helpers/worker.js";
import { useInProcessBot } from "../helpers/in-process-bot.js";
import { botInfo, tokens } from "../helpers/processes.js";

const db = useTestDb({ max: 5 });
const telegram = useFakeTelegram();
const bots = useInProcessBot(db, telegram);
const admin = { id: 7_100_001, first_name: "Админ" };

/** The real admin bot, in this process, polling the fake API. */
const startAdminBot = () => bots.start("admin", { adminIds: [admin.id] });

type User = { id: number; first_name: string; language_code?: string };

const waitText = (user: User, expected: RegExp, since: number) =>
  telegram.fake.waitFor(tokens.admin, (c) => c.at >= since && ["sendMessage", "editMessageText"].includes(c.method) && Number(c.params.chat_id) === user.id && expected.test(String(c.params.text)), 10_000);

/** Sends `text` and waits for the answer matching `expected`; returns its text. */
async function say(user: User, text: string, expected: RegExp) {
  const since = Date.now();
  telegram.fake.sendText(tokens.admin, user, text);
  return String((await waitText(user, expected, since)).params.text);
}

/** The update is finished, conversation state saved included. */
async function handled(updateId: number) {
  for (const until = Date.now() + 10_000; Date.now() < until; await new Promise((r) => setTimeout(r, 20))) {
    if ((await telegram.redis.get(dedupeKey("admin", botInfo.admin.id, updateId))) === "done") return;
  }
  throw new Error(`update ${updateId} not handled`);
}

/** The newest message to `user` with a button whose label matches; its button's data and message id. */
function button(user: User, label: RegExp) {
  const messages = telegram.fake.messagesTo(tokens.admin, user.id);
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    const rows = (m.reply_markup as { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined)?.inline_keyboard ?? [];
    const b = rows.flat().find((x) => label.test(x.text));
    if (b?.callback_data) return { data: b.callback_data, message_id: m.message_id };
  }
  throw new Error(`no button ${label}`);
}

async function press(user: User, label: RegExp, expected: RegExp) {
  const b = button(user, label);
  const since = Date.now();
  const updateId = telegram.fake.pressButton(tokens.admin, user, b.data, { message_id: b.message_id, chat_id: user.id });
  const text = String((await waitText(user, expected, since)).params.text);
  return { text, updateId, ...b };
}

describe("the admin's client card", () => {
  it("shows the nightly numbers and LTV (or says they are not computed yet), the status in the reader's language", async () => {
    startAdminBot();
    const p = await makePartner(db);
    const c = await makeClient(db, 0);
    const phone = "+79161112233";
    await db.update(clients).set({ phone }).where(eq(clients.id, c.clientId));
    const card = await say(admin, `/find ${phone}`, /Клиент № \d+/);
    expect(card).toMatch(/Статус: активен\./);
    expect(card).toMatch(/ещё не рассчитаны/);

    await accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: c.clientId, amountKopecks: 150_050, receiptNumber: "a1" });
    await accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: c.clientId, amountKopecks: 49_950, receiptNumber: "a2" });
    await recomputeSegments(db);
    const computed = await say(admin, `/find ${phone}`, /Покупок: 2/);
    expect(computed).toMatch(/Покупок: 2 на 2\s000 ₽, средний чек 1\s000 ₽, последняя: \d/);
    expect(computed).toMatch(/LTV: 2\s000 ₽\. Категория: Новые[^;]*; сегмент: Потенциально лояльные/);

    // A client with no purchase: New, "no purchase yet"; a blocked one keeps their balance (100 welcome + 40) and reads "blocked".
    const newcomer = await makeClient(db, 40);
    await setClientBlocked(db, { adminTelegramId: admin.id, clientId: newcomer.clientId, blocked: true, reason: "проверка" });
    await recomputeSegments(db);
    const ru = await say(admin, `/find ${newcomer.telegramId}`, /Клиент № \d+/);
    expect(ru).toMatch(/Статус: заблокирован\. Баланс: 140, уровень: Бронза/);
    expect(ru).toMatch(/последняя: покупок ещё не было/);
    await chooseLanguage(db, admin.id, "en");
    const en = await say(admin, `/find ${newcomer.telegramId}`, /Client no\. \d+/);
    expect(en).toMatch(/Status: blocked\. Balance: 140/);
    expect(en).toMatch(/last: no purchase yet/);
    expect(en).toMatch(/LTV: 0 ₽\. Category: New[^;]*; segment: New/);
    expect(en).toMatch(/computed on [A-Z][a-z]{2} \d{1,2}, \d{4}/);
  });

  it("lists recent operations with an undo button; confirmed, the operation is undone once however often the button is pressed, and audited", async () => {
    startAdminBot();
    const p = await makePartner(db);
    const c = await makeClient(db);
    const accrual = await accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: c.clientId, amountKopecks: 100_000, receiptNumber: "u1" });
    const entryId = accrual.ledgerEntryId!;
    const card = await say(admin, `/find ${c.telegramId}`, /Последние операции/);
    expect(card).toMatch(new RegExp(`№ ${entryId} · .* · начисление \\+50 · `));

    await press(admin, new RegExp(`Отменить № ${entryId}`), /Отменить операцию клиента/);
    // "No" undoes nothing.
    const before = await rowCounts(db);
    await press(admin, /^❌/, /Отменено/);
    expect(await rowCounts(db)).toEqual(before);

    await say(admin, `/find ${c.telegramId}`, /Последние операции/);
    await press(admin, new RegExp(`Отменить № ${entryId}`), /Отменить операцию клиента/);
    const yes = button(admin, /Да, отменить/);
    const since = Date.now();
    // A double press: the same confirmation twice.
    const first = telegram.fake.pressButton(tokens.admin, admin, yes.data, { message_id: yes.message_id, chat_id: admin.id });
    const second = telegram.fake.pressButton(tokens.admin, admin, yes.data, { message_id: yes.message_id, chat_id: admin.id });
    await waitText(admin, new RegExp(`Операция № ${entryId} отменена \\(−50\\)\\. Баланс клиента: 100\\.`), since);
    await handled(first);
    await handled(second);
    await waitText(admin, new RegExp(`Операция № ${entryId} уже отменена`), since);

    expect(await db.select().from(ledgerEntries).where(eq(ledgerEntries.reversesEntryId, entryId))).toHaveLength(1);
    expect(await db.select().from(auditLog).where(eq(auditLog.action, "ledger.undo"))).toMatchObject([{ actorType: "admin", actorTelegramId: admin.id, targetId: entryId }]);
    const after = await say(admin, `/find ${c.telegramId}`, /Последние операции/);
    expect(after).toMatch(new RegExp(`№ ${entryId} .*\\(отменена\\)`));
    expect(() => button(admin, new RegExp(`Отменить № ${entryId}`))).not.toThrow(); // the old card still has it…
    const stale = await press(admin, new RegExp(`Отменить № ${entryId}`), /уже отменена/); // …and it says so
    expect(stale.text).toMatch(/уже отменена/);
  });
});

describe("partners and the queue in the reader's language", () => {
  it("an application's category and a partner's status are words, not ids, in Russian and English", async () => {
    startAdminBot();
    const applied = await submitApplication(db, { telegramId: 5_550_001, name: "Пекарня", category: "cafe", address: "Невский, 1", contactName: "Оля", phone: "+79990002233" });
    const card = await say(admin, "/queue", /Заявка № \d+/);
    expect(card).toMatch(/Пекарня \(Кафе\)/);
    await moderateApplication(db, { adminTelegramId: admin.id, partnerId: applied.id, verdict: { decision: "approve" } });
    const [partner] = await db.select().from(partners).where(eq(partners.id, applied.id));
    expect(await say(admin, `/find ${partner!.code}`, /Партнёр № \d+/)).toMatch(/Пекарня \(Кафе\)\nСтатус: работает,/);
    await chooseLanguage(db, admin.id, "en");
    expect(await say(admin, `/find ${partner!.code}`, /Partner no\. \d+/)).toMatch(/Пекарня \(Café\)\nStatus: active,/);
  });
});

describe("/settings", () => {
  it("lists the settings; one is changed with bad input asked again, /cancel writes nothing; saved, audited, in effect, shown in /audit", async () => {
    startAdminBot();
    const list = await say(admin, "/settings", /Настройки сети/);
    expect(list).toMatch(/Бонус за друга: 200 баллов/);
    expect(list).toMatch(/Кэшбэк «Бронзы»: 5 %/);
    expect(list).toMatch(/Час ежедневной сводки: 09:00/);
    expect(list).toMatch(/Предел приветственного бонуса партнёра: /);

    const before = await rowCounts(db);
    await press(admin, /^Час ежедневной сводки$/, /сейчас 09:00\. Новое значение: час по Москве от 0 до 23/);
    await say(admin, "24", /Не подходит\. Нужно: час по Москве от 0 до 23/);
    await say(admin, "девять", /Не подходит/);
    await say(admin, "/cancel", /Отменено/);
    expect(await rowCounts(db)).toEqual(before);

    await press(admin, /^Час ежедневной сводки$/, /Новое значение/);
    await say(admin, "7", /Час ежедневной сводки: 09:00 → 07:00\. Действует сразу/);
    expect((await getNetworkSettings(db)).digestHour).toBe(7);

    await say(admin, "/settings", /Настройки сети/);
    await press(admin, /^Порог «Серебра»$/, /Новое значение/);
    await say(admin, "2000", /Пороги уровней должны расти.*500 \/ 1\s500 \/ 3\s000/);
    await say(admin, "700", /Порог «Серебра»: 500 баллов → 700 баллов/);

    await say(admin, "/settings", /Настройки сети/);
    await press(admin, /^Кэшбэк «Бронзы»$/, /например 7,5/);
    await say(admin, "101", /Не подходит/);
    await say(admin, "7,5", /Кэшбэк «Бронзы»: 5 % → 7,5 %/);
    expect(await getNetworkSettings(db)).toMatchObject({ digestHour: 7, tierThresholds: { silver: 700 }, ratesBp: { bronze: 750 } });
    expect(await db.select().from(auditLog).where(eq(auditLog.action, "settings.update"))).toHaveLength(3);

    const audit = await say(admin, "/audit", /Последние действия/);
    expect(audit).toMatch(/админ 7100001 · изменил настройки сети · сеть № —\n\s+Кэшбэк «Бронзы»: 5 % → 7,5 %/);
    expect(audit).toMatch(/Час ежедневной сводки: 09:00 → 07:00/);
    expect(audit).not.toMatch(/settings\.update|admin:/);
  });
});
