import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { clients } from "../../db/schema/index.js";
import { dedupeKey } from "../../bots/shared/middleware.js";
import { webhookSecret } from "../../bots/shared/webhook.js";
import { testAppSecret } from "../helpers/env.js";
import { botInfo, ProductProcess, tokens } from "../helpers/processes.js";
import { useProduct, webhookBasePath, type User } from "./harness.js";

// Each bot alone (`npm run start:<bot>`) with WEBHOOK_URL: it receives its webhook on METRICS_PORT, behind a test
// load balancer that is the WEBHOOK_URL the fake Telegram posts to.
const product = useProduct(["client", "partner"], {}, { webhook: true });

const kim: User = { id: 641, first_name: "Ким" };

/** A /start from `user` as Telegram would post it. */
const startUpdate = (updateId: number, user: User) => ({
  update_id: updateId,
  message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat: { id: user.id, type: "private", first_name: user.first_name }, from: { ...user, is_bot: false }, text: "/start", entities: [{ type: "bot_command", offset: 0, length: 6 }] },
});

describe("bots on webhooks", () => {
  it("register their webhook with the secret, the update types they handle and drop_pending_updates false; a client's journey works over it", async () => {
    for (const bot of ["client", "partner"] as const) {
      const calls = product.fake.calls(tokens[bot]);
      const set = calls.find((c) => c.method === "setWebhook");
      expect(set?.params).toEqual({
        url: `${product.balancer.url}${webhookBasePath}/${bot}`,
        secret_token: webhookSecret(testAppSecret, bot),
        allowed_updates: ["message", "callback_query"],
        drop_pending_updates: false,
      });
      expect(set?.params.secret_token).toMatch(/^[0-9a-f]{64}$/);
      expect(calls.filter((c) => c.method === "getUpdates")).toEqual([]);
    }
    expect(webhookSecret(testAppSecret, "client")).not.toBe(webhookSecret(testAppSecret, "partner"));

    await product.say("client", kim, "/start", /Выберите язык/);
    await product.press("client", kim, /Русский/, /Поделитесь номером/);
    const since = Date.now();
    product.fake.sendContact(tokens.client, kim, "+79161112233");
    await product.waitForMessage("client", kim.id, /Добро пожаловать в сеть/, since);
    await product.say("client", kim, "/balance", /Баланс: \d+ балл/);
    const deliveries = product.fake.webhookDeliveries(tokens.client);
    expect(deliveries.length).toBeGreaterThanOrEqual(4);
    expect(deliveries.every((d) => d.status === 200)).toBe(true);
    expect((await product.db.select().from(clients).where(eq(clients.telegramId, kim.id)))[0]).toMatchObject({ phone: "+79161112233" });
  });

  it("a post with a wrong or missing secret gets 401 and does nothing; a malformed body gets 400", async () => {
    const url = `${await product.process("client").listeningUrl()}${webhookBasePath}/client`;
    const stranger: User = { id: 642, first_name: "Чужой" };
    const post = (body: string, secret?: string) =>
      fetch(url, { method: "POST", headers: { "content-type": "application/json", ...(secret !== undefined && { "x-telegram-bot-api-secret-token": secret }) }, body });
    const update = JSON.stringify(startUpdate(900_001, stranger));
    expect((await post(update)).status).toBe(401);
    expect((await post(update, "0".repeat(64))).status).toBe(401);
    expect((await post(update, webhookSecret(testAppSecret, "partner"))).status).toBe(401);
    const secret = webhookSecret(testAppSecret, "client");
    expect((await post("{not json", secret)).status).toBe(400);
    expect((await post(JSON.stringify({ message: {} }), secret)).status).toBe(400);
    expect((await fetch(url, { headers: { "x-telegram-bot-api-secret-token": secret } })).status).toBe(405);

    await new Promise((r) => setTimeout(r, 1_500));
    expect(product.fake.messagesTo(tokens.client, stranger.id)).toEqual([]);
    expect(await product.redis.exists(dedupeKey("client", botInfo.client.id, 900_001))).toBe(0);
    expect(await product.redis.keys("webhook:client:*update:900001")).toEqual([]);
    expect(await product.db.select().from(clients).where(eq(clients.telegramId, stranger.id))).toEqual([]);

    // The same post with the right secret is taken.
    expect((await post(update, secret)).status).toBe(200);
    await product.waitForMessage("client", stranger.id, /Выберите язык/);
    // The log says a post was refused, without the secret it carried.
    const log = product.process("client").output;
    expect(log).toMatch(/webhook post refused: wrong or missing secret token/);
    expect(log).not.toContain("0".repeat(64));
  });

  it("answers the webhook at once and handles the update after", async () => {
    // Telegram answers the bot's reply only after 2 s: the handler is busy that long.
    product.fake.delayNext(tokens.client, "sendMessage", 2_000);
    const since = Date.now();
    const updateId = product.fake.sendText(tokens.client, kim, "/start");
    await product.waitForMessage("client", kim.id, /Выберите язык/, since);
    const delivery = product.fake.webhookDeliveries(tokens.client).find((d) => d.updateId === updateId && d.status === 200);
    expect(delivery).toBeDefined();
    // Well under the 2 s the handler takes, with room for a loaded machine.
    expect(delivery!.durationMs).toBeLessThan(1_000);
    await product.handled("client", updateId);
    expect(Date.now() - since).toBeGreaterThanOrEqual(2_000);
  });

  it("a bot started alone with WEBHOOK_URL but no METRICS_PORT stops with one config line naming METRICS_PORT", async () => {
    const p = new ProductProcess("partner", product.fake.url, { WEBHOOK_URL: `${product.balancer.url}${webhookBasePath}` }).start();
    for (const until = Date.now() + 30_000; p.running && Date.now() < until; ) await new Promise((r) => setTimeout(r, 100));
    expect(p.exitCode).toBe(1);
    expect(p.output.trim()).toMatch(/^config: METRICS_PORT is missing: .*WEBHOOK_URL/);
    expect(p.output.trim().split("\n")).toHaveLength(1);
  });
});
