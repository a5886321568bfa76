import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { registerClient } from "../../core/clients/service.js";
import { enqueue } from "../../core/jobs/outbox.js";
import { moderateApplication, submitApplication } from "../../core/partners/service.js";
import { jobs } from "../../db/schema/index.js";
import { testAppSecret } from "../helpers/env.js";
import { secretsIn } from "../helpers/secrets.js";
import { testAdminId, tokens } from "../helpers/processes.js";
import { useProduct, type User } from "./harness.js";

const product = useProduct(["client", "partner"]);
const { db } = product;

const owner: User = { id: 504, first_name: "Олег" };
const alice = { id: 5_123_456_789, first_name: "Алиса" };
const alicePhone = "+79165550777";
const unknownPhone = "+79165550999";


async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  for (const until = Date.now() + timeoutMs; Date.now() < until; await new Promise((r) => setTimeout(r, 200))) {
    const v = await probe();
    if (v) return v;
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("no phone, bot token or initData reaches a log line or a stored error", () => {
  it("a failing query with a phone parameter, a Bot API error and an unreachable Telegram: the bots' and the worker's logs and jobs.last_error hold none", async () => {
    const application = await submitApplication(db, { telegramId: owner.id, name: "Салон Лилия", category: "beauty", address: "Невский, 10", contactName: "Олег", phone: "+79990002233" });
    await moderateApplication(db, { adminTelegramId: testAdminId, partnerId: application.id, verdict: { decision: "approve" } });
    const { client } = await registerClient(db, { telegramId: alice.id, firstName: alice.first_name, phone: alicePhone, language: "ru" }, { appSecret: testAppSecret });

    // 1. The database refuses the insert of a phone the cashier registers at the till (the query's parameters hold the phone).
    await db.execute(sql`CREATE FUNCTION test_refuse_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'test: the database refused'; END $$`);
    await db.execute(sql`CREATE TRIGGER test_refuse_insert BEFORE INSERT ON clients FOR EACH ROW EXECUTE FUNCTION test_refuse_insert()`);
    try {
      await product.say("partner", owner, "/accrue", /Клиент: введите/);
      await product.say("partner", owner, unknownPhone, /ещё нет в сети/);
      await product.press("partner", owner, /Зарегистрировать клиента/);
      await product.fake.waitFor(tokens.partner, (c) => c.method === "answerCallbackQuery" && /Что-то пошло не так/.test(String(c.params.text)));
    } finally {
      await db.execute(sql`DROP TRIGGER test_refuse_insert ON clients`);
      await db.execute(sql`DROP FUNCTION test_refuse_insert()`);
    }

    // 2. The Bot API refuses a reply (its error carries the call's payload: the chat id and the text).
    product.fake.failNext(tokens.client, "sendMessage", { error_code: 400, description: "Bad Request: chat not found" });
    await product.say("client", alice, "/balance", /Что-то пошло не так/);

    // 3. Telegram unreachable for the worker: the fetch error names the URL, and the URL holds the bot token.
    const worker = await product.startProcess("worker", { TELEGRAM_API_ROOT: "http://127.0.0.1:9" });
    await enqueue(db, "notify.client", { clientId: client.id, message: "balance-adjusted", params: { points: 5, balance: 105 } }, { runAt: new Date() });
    const lastError = await waitUntil("the job's last error", async () => (await db.select().from(jobs).where(eq(jobs.kind, "notify.client")))[0]?.lastError);

    const partnerLog = product.process("partner").output;
    const clientLog = product.process("client").output;
    await new Promise((r) => setTimeout(r, 500));
    const workerLog = worker.output;
    // The failures were logged (so finding nothing below means something) …
    expect(partnerLog).toMatch(/update failed/);
    expect(partnerLog).toMatch(/Failed query: insert into \\"clients\\"/);
    expect(clientLog).toMatch(/update failed/);
    expect(clientLog).toMatch(/GrammyError/);
    expect(workerLog).toMatch(/job failed|unreachable/);
    // … and hold no phone, token or initData; a Bot API error's payload (chat id, text) is not logged either.
    expect(secretsIn(partnerLog)).toEqual([]);
    expect(secretsIn(clientLog)).toEqual([]);
    expect(clientLog).not.toContain(String(alice.id));
    expect(secretsIn(workerLog)).toEqual([]);
    expect(secretsIn(lastError)).toEqual([]);
    // Every line is pino JSON; a line written while an update was handled names the update and the bot.
    for (const [bot, log] of [["partner", partnerLog], ["client", clientLog]] as const) {
      const lines = log.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as { msg: string; bot?: string; updateId?: number });
      const failed = lines.filter((l) => l.msg === "update failed");
      expect(failed.length).toBeGreaterThan(0);
      for (const line of lines.filter((l) => l.updateId !== undefined)) expect(line.bot, JSON.stringify(line)).toBe(bot);
    }
    expect(lastError).not.toContain(tokens.client);
  });
});
