import { describe, expect, it } from "vitest";
import { attachPhone } from "../../core/clients/service.js";
import { dedupeKey } from "../../bots/shared/middleware.js";
import { makeClient, makePartner } from "../helpers/fixtures.js";
import { botInfo, tokens } from "../helpers/processes.js";
import { useProduct, type User } from "./harness.js";

// SIGTERM to a bot with an update in hand: it stops taking updates, finishes that one (its reply, its conversation
// state, its dedupe mark) and exits 0 within 10 s; an update that arrives meanwhile is handled after the restart.
for (const mode of ["polling", "webhook"] as const) {
  describe(`a bot stopped with an update in flight (${mode})`, () => {
    const product = useProduct(["partner"], {}, { webhook: mode === "webhook" });

    it("finishes it, exits 0 within 10 s, and loses nothing that arrived meanwhile", async () => {
      const { staffTelegramId } = await makePartner(product.db);
      const { clientId } = await makeClient(product.db);
      await attachPhone(product.db, { clientId, phone: "+79161112233" });
      const cashier: User = { id: staffTelegramId, first_name: "Анна" };

      // Telegram answers the bot's prompt only after 3 s: the update is in hand for that long.
      product.fake.delayNext(tokens.partner, "sendMessage", 3_000);
      const { updateId } = await product.say("partner", cashier, "/accrue", /Клиент: введите/);
      const signalled = Date.now();
      const stopped = product.process("partner").stop();
      // The next step arrives while the bot stops: it must wait for the next start, not be lost.
      await new Promise((r) => setTimeout(r, 200));
      product.fake.sendText(tokens.partner, cashier, "+79161112233");
      await stopped;
      const tookMs = Date.now() - signalled;

      expect(product.process("partner").exitCode).toBe(0);
      expect(tookMs).toBeLessThan(10_000);
      // It did wait for the update in hand: finished, conversation state saved, then marked done.
      expect(tookMs).toBeGreaterThanOrEqual(2_000);
      expect(await product.redis.get(dedupeKey("partner", botInfo.partner.id, updateId))).toBe("done");

      const restarted = Date.now();
      await product.startProcess("partner");
      // The conversation goes on from the saved state with the step that arrived during the stop.
      await product.waitForMessage("partner", cashier.id, /Сумма чека/, restarted);
    });
  });
}
