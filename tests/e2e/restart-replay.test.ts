import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, broadcasts, clients, ledgerEntries, partners, promotions, purchases, redemptionRequests, referrals } from "../../db/schema/index.js";
import { registerClient } from "../../core/clients/service.js";
import { moderateApplication, submitApplication } from "../../core/partners/service.js";
import { testAppSecret } from "../helpers/env.js";
import { tokens, testAdminId } from "../helpers/processes.js";
import { crashAfterStepThenReplay, settle } from "../helpers/restart.js";
import { useProduct, type User } from "./harness.js";

/**
 * Each conversation that writes, crashed after its last step's write and replies but before its state was saved,
 * then replayed by a fresh process: the write happens once (idempotency keys from the conversation, or the
 * domain's own "already decided" rules).
 */
const product = useProduct(["client", "partner", "admin", "worker"]);
const { db } = product;

const admin: User = { id: testAdminId, first_name: "Админ" };
const owner: User = { id: 561, first_name: "Ирина" };
const alice: User = { id: 661, first_name: "Алиса" };
const bob: User = { id: 662, first_name: "Борис" };
const alicePhone = "+79160000661";

/** The texts `bot` sent `chatId` matching `pattern`, as they read now (after edits). */
const textsTo = (bot: keyof typeof tokens, chatId: number, pattern: RegExp) => product.fake.messagesTo(tokens[bot], chatId).map((m) => m.text ?? m.caption ?? "").filter((t) => pattern.test(t));

const count = async (query: ReturnType<typeof sql>) => Number((await db.execute<{ n: string }>(query))[0]!.n);

async function approvedPartner() {
  const p = await submitApplication(db, { telegramId: owner.id, name: "Чайная", category: "cafe", address: "Садовая, 5", contactName: "Ирина", phone: "+79990005612" });
  await moderateApplication(db, { adminTelegramId: testAdminId, partnerId: p.id, verdict: { decision: "approve" } });
  return p.id;
}

const joinAlice = async () => (await registerClient(db, { telegramId: alice.id, firstName: "Алиса", phone: alicePhone }, { appSecret: testAppSecret })).client;

describe("a crash after a step's write, before its conversation state is saved: the replay writes nothing twice", () => {
  it("accrual (partner bot)", async () => {
    await approvedPartner();
    const client = await joinAlice();
    await product.say("partner", owner, "/accrue", /Клиент: введите/);
    await product.say("partner", owner, alicePhone, /Сумма чека/);
    await product.say("partner", owner, "1000", /Номер чека/);
    await product.say("partner", owner, "R-1", /Начислить клиенту/);
    await crashAfterStepThenReplay(product, "partner", async () => (await product.press("partner", owner, /Подтвердить/)).updateId);

    expect(await db.select().from(purchases).where(eq(purchases.receiptNumber, "R-1"))).toHaveLength(1);
    expect(await db.select().from(ledgerEntries).where(and(eq(ledgerEntries.clientId, client.id), eq(ledgerEntries.kind, "accrual")))).toHaveLength(1);
    expect(await count(sql`SELECT count(*) AS n FROM jobs WHERE kind = 'nps.ask'`)).toBe(1);
    // The step really ran twice: the dead process answered, and so did the replay, finding the first accrual.
    expect(textsTo("partner", owner.id, /✅ Начислено 50/)).toHaveLength(1);
    expect(textsTo("partner", owner.id, /уже был проведён: начислено 50/)).toHaveLength(1);
  });

  it("redemption request (partner bot)", async () => {
    await approvedPartner();
    const client = await joinAlice();
    await product.say("partner", owner, "/redeem", /Клиент: введите/);
    await product.say("partner", owner, alicePhone, /Сумма чека/);
    await product.say("partner", owner, "1000", /Не больше/);
    await crashAfterStepThenReplay(product, "partner", () => product.fake.sendText(tokens.partner, owner, "30"));

    expect(await db.select().from(redemptionRequests).where(eq(redemptionRequests.clientId, client.id))).toHaveLength(1);
    expect(await count(sql`SELECT count(*) AS n FROM jobs WHERE kind = 'redemption.ask-client'`)).toBe(1);
    // Both the dead process and the replay answered, naming the same one request.
    const answers = textsTo("partner", owner.id, /Запрос № \d+ отправлен/).map((t) => /№ (\d+)/.exec(t)![1]);
    expect(answers).toHaveLength(2);
    expect(new Set(answers).size).toBe(1);
    await settle();
    // The client is asked once.
    expect(product.fake.messagesTo(tokens.client, alice.id).filter((m) => /просит списать 30 баллов/.test(m.text ?? ""))).toHaveLength(1);
  });

  it("onboarding through a friend's r_ link (client bot)", async () => {
    const referrer = await joinAlice();
    await product.say("client", bob, `/start r_${referrer.referralCode}`, /Выберите язык/);
    await product.press("client", bob, /Русский/, /Поделитесь номером/);
    await crashAfterStepThenReplay(product, "client", () => product.fake.sendContact(tokens.client, bob, "+79160000662"));

    const joined = await db.select().from(clients).where(eq(clients.telegramId, bob.id));
    expect(joined).toHaveLength(1);
    expect(await db.select().from(ledgerEntries).where(and(eq(ledgerEntries.clientId, joined[0]!.id), eq(ledgerEntries.kind, "welcome_bonus")))).toHaveLength(1);
    expect(await db.select().from(referrals)).toMatchObject([{ referrerClientId: referrer.id, inviteeClientId: joined[0]!.id }]);
    // The dead process welcomed them with the bonus; the replay found them registered.
    expect(textsTo("client", bob.id, /Добро пожаловать в сеть/)).toHaveLength(2);
    expect(textsTo("client", bob.id, /Приветственный бонус/)).toHaveLength(1);
  });

  it("balance adjustment (admin bot)", async () => {
    const client = await joinAlice();
    await product.say("admin", admin, `/find ${alicePhone}`, /Клиент № /);
    await product.press("admin", admin, /Корректировка/, /На сколько баллов/);
    await product.say("admin", admin, "+250", /Причина корректировки/);
    await product.say("admin", admin, "Компенсация за сбой", /Изменить баланс клиента/);
    await crashAfterStepThenReplay(product, "admin", async () => (await product.press("admin", admin, /Подтвердить/)).updateId);

    expect(await db.select().from(ledgerEntries).where(and(eq(ledgerEntries.clientId, client.id), eq(ledgerEntries.kind, "adjustment")))).toMatchObject([{ points: 250 }]);
    expect(await db.select().from(auditLog).where(eq(auditLog.action, "ledger.adjust"))).toHaveLength(1);
    const balances = textsTo("admin", admin.id, /Готово\. Баланс клиента/);
    expect(balances).toHaveLength(2); // the dead process's answer and the replay's
    expect(new Set(balances).size).toBe(1);
  });

  it("rejection with a reason (admin bot)", async () => {
    const since = Date.now();
    const application = await submitApplication(db, { telegramId: owner.id, name: "Чайная", category: "cafe", address: "Садовая, 5", contactName: "Ирина", phone: "+79990005612" });
    await product.waitForMessage("admin", admin.id, /Новая заявка партнёра/, since);
    await product.press("admin", admin, /Отклонить/, /Причина отказа/);
    await crashAfterStepThenReplay(product, "admin", () => product.fake.sendText(tokens.admin, admin, "Нет адреса на карте"));

    const [partner] = await db.select().from(partners).where(eq(partners.id, application.id));
    expect(partner!.status).toBe("rejected");
    expect(await db.select().from(auditLog).where(eq(auditLog.action, "partner.reject"))).toHaveLength(1);
    expect(await count(sql`SELECT count(*) AS n FROM jobs WHERE kind = 'notify.partner' AND payload->>'message' = 'application-rejected'`)).toBe(1);
    // The dead process said it was rejected; the replay found the decision already taken.
    expect(textsTo("admin", admin.id, /Отклонено\. Причина: Нет адреса на карте/)).toHaveLength(1);
    expect(textsTo("admin", admin.id, /Решение по этой заявке уже принято/)).toHaveLength(1);
    await product.waitForMessage("partner", owner.id, /заявка отклонена/, since);
    await settle();
    expect(product.fake.messagesTo(tokens.partner, owner.id).filter((m) => /заявка отклонена/.test(m.text ?? ""))).toHaveLength(1);
  });

  it("new promotion (partner bot)", async () => {
    await approvedPartner();
    await product.say("partner", owner, "/newpromo", /Заголовок акции/);
    await product.say("partner", owner, "Чай в подарок", /Текст акции/);
    await product.say("partner", owner, "К каждой покупке", /Когда идёт акция/);
    await product.say("partner", owner, "31.12", /Пришлите картинку/);
    await crashAfterStepThenReplay(product, "partner", async () => (await product.press("partner", owner, /Без картинки/)).updateId);

    expect(await db.select().from(promotions)).toHaveLength(1);
    expect(textsTo("partner", owner.id, /«Чай в подарок» опубликована/)).toHaveLength(2); // the dead process's answer and the replay's
  });

  it("broadcast (admin bot)", async () => {
    await joinAlice();
    await product.say("admin", admin, "/broadcast", /Кому отправить/);
    await product.press("admin", admin, /Всем клиентам/, /Пришлите текст/);
    await product.say("admin", admin, "Чайная открылась", /Получателей: 1/);
    await crashAfterStepThenReplay(product, "admin", async () => (await product.press("admin", admin, /Отправить \(1\)/)).updateId);

    expect(await db.select().from(broadcasts)).toHaveLength(1);
    // The replay found the broadcast the dead process had created and pointed to its progress message.
    expect(textsTo("admin", admin.id, /Эта рассылка уже запущена/)).toHaveLength(1);
    await product.waitForMessage("client", alice.id, /Чайная открылась/, 0, 30_000);
    await settle();
    expect(product.fake.messagesTo(tokens.client, alice.id).filter((m) => /Чайная открылась/.test(m.text ?? ""))).toHaveLength(1);
  });
});
