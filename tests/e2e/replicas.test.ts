import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { attachPhone } from "../../core/clients/service.js";
import { purchases } from "../../db/schema/index.js";
import { makeClient, makePartner } from "../helpers/fixtures.js";
import { tokens } from "../helpers/processes.js";
import { useProduct, webhookBasePath, type User } from "./harness.js";

// Two replicas of the partner bot (two processes, one WEBHOOK_URL) behind a load balancer that alternates between
// them and sends chosen updates to both at once: one chat's updates must still be handled in order, once each.
const product = useProduct(["partner"], {}, { webhook: true });

async function startSecondReplica() {
  await product.startProcess("partner", {}, { replica: true });
  expect(product.balancer.backends(`${webhookBasePath}/partner`)).toHaveLength(2);
}

/** A partner's cashier, and a client with a phone to accrue to. */
async function cashierAndClient(): Promise<{ cashier: User; phone: string }> {
  const { staffTelegramId } = await makePartner(product.db);
  const { clientId } = await makeClient(product.db);
  const phone = "+79161112233";
  await attachPhone(product.db, { clientId, phone });
  return { cashier: { id: staffTelegramId, first_name: "Анна" }, phone };
}

/** The texts the partner bot sent or edited in the chat, in order. */
const textsTo = (chatId: number) => product.fake.messagesTo(tokens.partner, chatId).map((m) => m.text ?? m.caption ?? "");

describe("two replicas of the partner bot", () => {
  it("one accrual conversation alternating between them, with duplicates: one accrual, every step answered once", async () => {
    await startSecondReplica();
    const { cashier, phone } = await cashierAndClient();
    // The phone, the receipt number and the confirmation reach both replicas at the same moment.
    product.balancer.duplicate((u) => {
      const update = u as { message?: { text?: string }; callback_query?: unknown };
      return update.message?.text === phone || update.message?.text === "R-1" || update.callback_query !== undefined;
    });

    await product.accrueAs(cashier, phone, "1500", "R-1", /Начислено 75 баллов/);
    // Let a late duplicate be handled, if one were going to be.
    await new Promise((r) => setTimeout(r, 2_000));

    expect(await product.db.select().from(purchases).where(eq(purchases.receiptNumber, "R-1"))).toHaveLength(1);
    // Every step exactly once, in order: nothing lost, nothing doubled.
    const sent = product.fake.messagesTo(tokens.partner, cashier.id).map((m) => `${m.method}: ${m.text ?? ""}`);
    const steps = [
      /^sendMessage: Клиент: введите/,
      /^sendMessage: Клиент: Ив/, // the client found by phone
      /^sendMessage: Сумма чека/,
      /^sendMessage: Номер чека/,
      /^sendMessage: Начислить клиенту Иван кэшбэк за чек № R-1/,
      /^editMessageReplyMarkup: $/, // the confirmation's buttons removed once pressed
      /^sendMessage: ✅ Начислено 75 баллов/,
    ];
    expect(sent).toHaveLength(steps.length);
    steps.forEach((step, i) => expect(sent[i]).toMatch(step));

    // The updates really went to both replicas, and the chosen ones to both at once.
    const conversation = product.balancer.forwarded.filter((f) => f.path === `${webhookBasePath}/partner`);
    const single = conversation.filter((f) => f.answers.length === 1).map((f) => f.answers[0]!.backend);
    expect(new Set(single).size).toBe(2);
    const doubled = conversation.filter((f) => f.answers.length === 2);
    expect(doubled.length).toBeGreaterThanOrEqual(3);
    for (const f of doubled) expect(f.answers.map((a) => a.status)).toEqual([200, 200]);
    // Each duplicate collapsed in the queue: one of the two replicas said so.
    const logs = [product.process("partner").output, ...product.replicas("partner").map((p) => p.output)].join("\n");
    expect(logs.match(/duplicate webhook update dropped/g)?.length ?? 0).toBeGreaterThanOrEqual(doubled.length);
  });

  it("an update delivered to both replicas at the same moment is handled once, again and again", async () => {
    await startSecondReplica();
    product.balancer.duplicate(() => true);
    const strangers: User[] = Array.from({ length: 5 }, (_, i) => ({ id: 7_100 + i, first_name: `Гость ${i}` }));
    for (const stranger of strangers) product.fake.sendText(tokens.partner, stranger, "/start");
    for (const stranger of strangers) await product.waitForMessage("partner", stranger.id, /\/apply/);
    await new Promise((r) => setTimeout(r, 2_000));
    for (const stranger of strangers) expect(textsTo(stranger.id), `to ${stranger.id}`).toHaveLength(1);
    expect(product.balancer.forwarded.filter((f) => f.answers.length === 2).length).toBeGreaterThanOrEqual(strangers.length);
  });

  it("a replica killed in the middle of a chat's update: the other one handles it once the lock lapses", async () => {
    await startSecondReplica();
    const { cashier, phone } = await cashierAndClient();
    await product.say("partner", cashier, "/accrue", /Клиент: введите/);
    // Only replica A gets the next update, and Telegram holds A's first reply to it ("client found"): A dies with
    // the update in hand, its conversation step not saved, the chat's lock still its own.
    const [a] = product.balancer.backends(`${webhookBasePath}/partner`);
    product.balancer.route(`${webhookBasePath}/partner`, [a!]);
    product.fake.delayNext(tokens.partner, "sendMessage", 5_000);
    const since = Date.now();
    product.fake.sendText(tokens.partner, cashier, phone);
    await product.waitForMessage("partner", cashier.id, /^Клиент: Ив/, since);
    await product.process("partner").kill();
    const killed = Date.now();
    expect(textsTo(cashier.id).filter((t) => /^Сумма чека/.test(t))).toEqual([]);
    product.balancer.route(`${webhookBasePath}/partner`, [await product.replicas("partner")[0]!.listeningUrl()]);
    // B's sweeper takes the chat once A's lock lapses, handles the phone step again, then the amount, in order.
    await product.waitForMessage("partner", cashier.id, /^Сумма чека/, killed, 20_000);
    await product.say("partner", cashier, "2000", /Номер чека/);
    const texts = textsTo(cashier.id);
    expect(texts.filter((t) => /^Сумма чека/.test(t))).toHaveLength(1);
    expect(texts.findIndex((t) => /^Сумма чека/.test(t))).toBeLessThan(texts.findIndex((t) => /^Номер чека/.test(t)));
    expect(product.replicas("partner")[0]!.output).not.toMatch(/"level":50/);
  });
});
