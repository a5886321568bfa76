import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { staffLookupLimit } from "../../bots/partner/client-lookup.js";
import { dedupeKey } from "../../bots/shared/middleware.js";
import { registerClientByPhone } from "../../core/clients/service.js";
import { accrue } from "../../core/ledger/service.js";
import { addStaff, removeStaff } from "../../core/partners/service.js";
import { auditLog, broadcastDeliveries, broadcasts, clients, purchases } from "../../db/schema/index.js";
import { useTestDb } from "../helpers/db.js";
import { makeClient, makePartner, newTelegramId } from "../helpers/fixtures.js";
import { useFakeTelegram } from "../helpers/worker.js";
import { useInProcessBot } from "../helpers/in-process-bot.js";
import { botInfo, tokens } from "../helpers/processes.js";

const db = useTestDb({ max: 5 });
const telegram = useFakeTelegram();
const bots = useInProcessBot(db, telegram);

/** The real partner bot, in this process, polling the fake API. */
const startPartnerBot = () => bots.start("partner");

/** An approved partner, its owner and a cashier, as Telegram users. */
async function till() {
  const p = await makePartner(db);
  const cashierId = newTelegramId();
  await addStaff(db, { partnerId: p.partnerId, ownerTelegramId: p.staffTelegramId, telegramId: cashierId });
  const owner = { id: p.staffTelegramId, first_name: "Анна" };
  const cashier = { id: cashierId, first_name: "Касса" };
  return { p, owner, cashier };
}

type User = { id: number; first_name: string };
const texts = (user: User) => telegram.fake.messagesTo(tokens.partner, user.id).map((m) => m.text ?? m.caption ?? "");

/** Generous: the machine running the tests may be busy. */
const replyTimeoutMs = 30_000;

/** Sends `text` and waits for the bot's answer matching `expected`, sent after this message. */
async function say(user: User, text: string, expected: RegExp) {
  const since = Date.now();
  telegram.fake.sendText(tokens.partner, user, text);
  return telegram.fake.waitFor(tokens.partner, (c) => c.at >= since && c.failed === undefined && Number(c.params.chat_id) === user.id && typeof c.params.text === "string" && expected.test(c.params.text), replyTimeoutMs);
}

async function press(user: User, data: string, expected: RegExp) {
  const since = Date.now();
  const updateId = telegram.fake.pressButton(tokens.partner, user, data);
  await telegram.fake.waitFor(tokens.partner, (c) => c.at >= since && c.failed === undefined && Number(c.params.chat_id) === user.id && typeof c.params.text === "string" && expected.test(c.params.text), replyTimeoutMs);
  return updateId;
}

/** Waits until the bot has finished the update (its conversation state saved): the de-duplication mark says "done". */
async function handled(updateId: number) {
  const key = dedupeKey("partner", botInfo.partner.id, updateId);
  for (let i = 0; i < 1_200 && (await telegram.redis.get(key)) !== "done"; i++) await new Promise((r) => setTimeout(r, 25));
  expect(await telegram.redis.get(key)).toBe("done");
}

describe("a cashier removed in the middle of a conversation", () => {
  it("looking a client up: refused with a clear message, the conversation ends, nothing is shown or written", async () => {
    const { p, cashier } = await till();
    const c = await registerClientByPhone(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, phone: "+79161230001", firstName: "Ирина" });
    startPartnerBot();
    await say(cashier, "/accrue", /введите телефон/);
    await removeStaff(db, { partnerId: p.partnerId, ownerTelegramId: p.staffTelegramId, telegramId: cashier.id });
    await say(cashier, "+7 916 123-00-01", /больше не сотрудник/);
    expect(texts(cashier).join("\n")).not.toMatch(/Ир\*\*\*|Ирина|Сумма чека/);
    // The conversation is over: an amount now is not taken as the check (they are a stranger to the bot now).
    await say(cashier, "500", /Чтобы подключить своё заведение/);
    expect(texts(cashier).join("\n")).not.toMatch(/Номер чека/);
    expect(await db.select().from(purchases).where(eq(purchases.clientId, c.client.id))).toHaveLength(0);
  });

  it("registering a phone: the button pressed after removal writes no client and no audit row", async () => {
    const { p, cashier } = await till();
    startPartnerBot();
    await say(cashier, "/accrue", /введите телефон/);
    await say(cashier, "+7 916 123-00-02", /Зарегистрировать его\?/);
    await removeStaff(db, { partnerId: p.partnerId, ownerTelegramId: p.staffTelegramId, telegramId: cashier.id });
    await press(cashier, "newclient:yes", /больше не сотрудник/);
    expect(await db.select().from(clients).where(eq(clients.phone, "+79161230002"))).toHaveLength(0);
    expect(await db.select().from(auditLog).where(eq(auditLog.action, "client.register_by_phone"))).toHaveLength(0);
    expect(texts(cashier).join("\n")).not.toMatch(/зарегистрирован\./);
  });

  it("after the client was found: the accrual's confirmation is refused and nothing is accrued", async () => {
    const { p, cashier } = await till();
    await registerClientByPhone(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, phone: "+79161230003", firstName: "Олег" });
    startPartnerBot();
    await say(cashier, "/accrue", /введите телефон/);
    await say(cashier, "+79161230003", /Клиент: Ол\*\*\*/);
    await say(cashier, "1500", /Номер чека/);
    await say(cashier, "R-1", /Начислить клиенту Олег/);
    await removeStaff(db, { partnerId: p.partnerId, ownerTelegramId: p.staffTelegramId, telegramId: cashier.id });
    await press(cashier, "ok:yes", /недоступно/);
    expect(await db.select().from(purchases)).toHaveLength(0);
  });
});

describe("phone lookups cannot be used to collect names and balances", () => {
  it("a found client is shown with a masked name and no balance; the full name only once chosen for the operation", async () => {
    const { cashier } = await till();
    const c = await makeClient(db, 777);
    await db.update(clients).set({ phone: "+79161230004" }).where(eq(clients.id, c.clientId));
    startPartnerBot();
    await say(cashier, "/find", /введите телефон/);
    // Not /Клиент: / alone: the question "Клиент: введите телефон…" can carry the same millisecond as this message.
    const found = await say(cashier, "89161230004", /Клиент: (?!введите)/);
    expect(found.params.text).toBe("Клиент: Ив***, +7916***-**-04.");
    expect(texts(cashier).join("\n")).not.toMatch(/Иван|Баланс|баланс/);
    // In a redemption the balance appears with the points question, after the check: the client is chosen.
    await say(cashier, "/redeem", /введите телефон/);
    await say(cashier, "+79161230004", /Клиент: Ив\*\*\*/);
    await say(cashier, "1000", /Сколько баллов списать\? Не больше 300 \(баланс \d+/);
  });

  it(`at most ${staffLookupLimit.max} lookups per staff member in ${staffLookupLimit.windowSeconds / 60} minutes, then a clear message; other staff are not affected`, async () => {
    const { owner, cashier } = await till();
    startPartnerBot();
    await say(cashier, "/find", /введите телефон/);
    for (let i = 0; i < staffLookupLimit.max; i++) await say(cashier, `ZZZ${String(i).padStart(3, "0")}`, /Клиент не найден/);
    await say(cashier, "ZZZ999", /Слишком много поисков клиентов: не больше 30 за 10 мин\. Попробуйте через 10 мин\./);
    await say(cashier, "ZZZ998", /Слишком много поисков/);
    await say(owner, "/find", /введите телефон/);
    await say(owner, "ZZZ997", /Клиент не найден/);
  });
});

describe("partner broadcasts", () => {
  it("a cashier may not broadcast until the owner allows it in /settings", async () => {
    const { owner, cashier } = await till();
    startPartnerBot();
    await say(cashier, "/broadcast", /отправляет владелец заведения/);
    expect(texts(cashier).join("\n")).not.toMatch(/Кому отправить/);
    // A cashier's /settings has no buttons.
    const shown = await say(cashier, "/settings", /Рассылки клиентам: отправляет только владелец/);
    expect(shown.params.reply_markup).toBeUndefined();
    await say(owner, "/settings", /Рассылки клиентам: отправляет только владелец/);
    await press(owner, "set:cashierBroadcastsOn", /кассиры теперь тоже могут/);
    await say(owner, "/settings", /Рассылки клиентам: владелец и кассиры/);
    await say(cashier, "/broadcast", /Кому отправить/);
  });

  it("a confirmation replayed after a crash (broadcast written, conversation state not saved) creates no second broadcast", async () => {
    const { p, owner } = await till();
    for (let i = 0; i < 3; i++) {
      const c = await makeClient(db);
      await accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: c.clientId, amountKopecks: 10_000, receiptNumber: `r${i}` });
    }
    startPartnerBot();
    await say(owner, "/broadcast", /Кому отправить/);
    await press(owner, "aud:all", /Пришлите текст/);
    const since = Date.now();
    const textUpdate = telegram.fake.sendText(tokens.partner, owner, "Скидка 20% до пятницы");
    await telegram.fake.waitFor(tokens.partner, (c) => c.at >= since && /Получателей: 3/.test(String(c.params.text)));
    await handled(textUpdate);
    // What a crash right after the broadcast's write would leave: the state from before the confirmation.
    const stateKeys = await telegram.redis.keys("conv:partner:*");
    const saved = await Promise.all(stateKeys.map(async (k) => [k, await telegram.redis.get(k)] as const));
    const confirm = await press(owner, "bsend:yes", /Рассылка запускается/);
    await handled(confirm);
    expect(await db.select().from(broadcasts)).toHaveLength(1);

    for (const [k, v] of saved) await telegram.redis.set(k, v!);
    await telegram.redis.del(dedupeKey("partner", botInfo.partner.id, confirm));
    telegram.fake.redeliver(tokens.partner, confirm);
    await telegram.fake.waitForText(tokens.partner, owner.id, /уже запущена/, replyTimeoutMs);
    const all = await db.select().from(broadcasts);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ senderTelegramId: owner.id, total: 3, text: "Скидка 20% до пятницы" });
    expect(await db.select().from(broadcastDeliveries).where(and(eq(broadcastDeliveries.broadcastId, all[0]!.id)))).toHaveLength(3);
  });
});
