import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, clients, ledgerEntries, partners, referrals } from "../../db/schema/index.js";
import { registerClient } from "../../core/clients/service.js";
import { submitApplication } from "../../core/partners/service.js";
import { testAppSecret } from "../helpers/env.js";
import { tokens, testAdminId } from "../helpers/processes.js";
import { settle } from "../helpers/restart.js";
import { useProduct, type User } from "./harness.js";

const product = useProduct(["client", "partner", "admin", "worker"]);
const { db } = product;

const admin: User = { id: testAdminId, first_name: "Админ" };
const owner: User = { id: 551, first_name: "Ольга" };
const alice: User = { id: 651, first_name: "Алиса" };
const bob: User = { id: 652, first_name: "Борис" };

const sentSince = (bot: keyof typeof tokens, chatId: number, since: number) =>
  product.fake.calls(tokens[bot]).filter((c) => c.at >= since && c.failed === undefined && Number(c.params.chat_id) === chatId && ["sendMessage", "sendPhoto", "editMessageText"].includes(c.method));

describe("a bot killed (SIGKILL) in the middle of a conversation resumes it after a restart, and it completes once", () => {
  it("the client bot, during onboarding through a friend's r_ link: one client, one welcome bonus, bound to the friend", async () => {
    const { client: referrer } = await registerClient(db, { telegramId: alice.id, firstName: "Алиса" }, { appSecret: testAppSecret });

    const started = await product.say("client", bob, `/start r_${referrer.referralCode}`, /Выберите язык/);
    await product.handled("client", started.updateId);
    await product.process("client").kill();
    await product.startProcess("client");

    const language = await product.press("client", bob, /Русский/, /Поделитесь номером/);
    await product.handled("client", language.updateId);
    await product.process("client").kill();
    await product.startProcess("client");

    const since = Date.now();
    const contact = product.fake.sendContact(tokens.client, bob, "+79160000652");
    await product.waitForMessage("client", bob.id, /Добро пожаловать в сеть! Приветственный бонус/, since);
    await product.handled("client", contact);
    // Telegram delivering the phone again changes nothing either.
    product.fake.redeliver(tokens.client, contact);
    await settle();

    const joined = await db.select().from(clients).where(eq(clients.telegramId, bob.id));
    expect(joined).toHaveLength(1);
    expect(joined[0]).toMatchObject({ phone: "+79160000652", language: "ru" });
    const bonuses = await db.select().from(ledgerEntries).where(and(eq(ledgerEntries.clientId, joined[0]!.id), eq(ledgerEntries.kind, "welcome_bonus")));
    expect(bonuses).toHaveLength(1);
    expect(await db.select().from(referrals)).toMatchObject([{ referrerClientId: referrer.id, inviteeClientId: joined[0]!.id }]);
    expect(sentSince("client", bob.id, since).filter((c) => /Добро пожаловать/.test(String(c.params.text)))).toHaveLength(1);
  });

  it("the admin bot, while a rejection waits for its reason: one rejection, the applicant told once", async () => {
    const applied = Date.now();
    const application = await submitApplication(db, { telegramId: owner.id, name: "Пекарня", category: "cafe", address: "Невский, 1", contactName: "Ольга", phone: "+79990005511" });
    await product.waitForMessage("admin", admin.id, /Новая заявка партнёра/, applied);
    const rejecting = await product.press("admin", admin, /Отклонить/, /Причина отказа/);
    await product.handled("admin", rejecting.updateId);
    await product.process("admin").kill();
    await product.startProcess("admin");

    const since = Date.now();
    const reason = await product.say("admin", admin, "Нет адреса на карте", /Отклонено\. Причина: Нет адреса на карте/);
    await product.handled("admin", reason.updateId);
    await product.waitForMessage("partner", owner.id, /Ваша заявка отклонена\. Причина: Нет адреса на карте/, since);
    product.fake.redeliver(tokens.admin, reason.updateId);
    await settle(2_500);

    const [partner] = await db.select().from(partners).where(eq(partners.id, application.id));
    expect(partner!.status).toBe("rejected");
    expect(await db.select().from(auditLog).where(eq(auditLog.action, "partner.reject"))).toHaveLength(1);
    expect(sentSince("partner", owner.id, since).filter((c) => /заявка отклонена/.test(String(c.params.text)))).toHaveLength(1);
    expect(sentSince("admin", admin.id, since).filter((c) => /Отклонено/.test(String(c.params.text)))).toHaveLength(1);
    const told = await db.execute<{ n: string }>(sql`SELECT count(*) AS n FROM jobs WHERE kind = 'notify.partner' AND payload->>'message' = 'application-rejected'`);
    expect(Number(told[0]!.n)).toBe(1);
  });
});
