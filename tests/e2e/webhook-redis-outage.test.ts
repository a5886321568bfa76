import { afterAll, describe, expect, it, vi } from "vitest";
import { RedisServer } from "../helpers/redis-server.js";
import { tokens } from "../helpers/processes.js";
import { useProduct, type User } from "./harness.js";

// A bot on webhooks whose Redis goes away: an update it cannot queue is handled at once (the user is told the bot is
// temporarily unavailable) and Telegram gets its 200, so it does not post it again and again. The bot's own
// throwaway redis-server (never the machine's shared one) is killed and started again.
const redis = await (await RedisServer.onFreePort()).start();
afterAll(() => redis.stop());
const product = useProduct(["client"], { REDIS_URL: redis.url }, { webhook: true });

describe("a bot on webhooks without Redis", () => {
  it("answers 'temporarily unavailable' at once, takes the post, and serves again when Redis is back", async () => {
    const kim: User = { id: 651, first_name: "Ким" };
    await product.say("client", kim, "/start", /Выберите язык/);
    // The /start is finished (saved, unqueued) a moment after its reply.
    await new Promise((r) => setTimeout(r, 1_000));

    await redis.stop();
    const since = Date.now();
    const updateId = product.fake.sendText(tokens.client, kim, "/balance");
    await product.waitForMessage("client", kim.id, /временно недоступен/, since, 5_000);
    expect(Date.now() - since).toBeLessThan(4_000);
    // Telegram got its 200 at the first post: it does not post the update again.
    await vi.waitFor(() => expect(product.fake.webhookDeliveries(tokens.client).filter((d) => d.updateId === updateId).map((d) => d.status)).toEqual([200]));

    await redis.start();
    // The connection heals by itself (reconnects every ≤2 s): the next /start is served normally.
    const back = Date.now();
    for (;;) {
      const { call } = await product.say("client", kim, "/start", /Выберите язык|временно недоступен/);
      if (/Выберите язык/.test(String(call.params.text))) break;
      expect(Date.now() - back).toBeLessThan(15_000);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(product.process("client").output).toMatch(/could not queue a webhook update: Redis is down, handling it here/);
  });
});
