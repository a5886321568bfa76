import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { broadcastDeliveries, clients } from "../../db/schema/index.js";
import { registerClient } from "../../core/clients/service.js";
import { tokens, testAdminId } from "../helpers/processes.js";
import { useProduct, type User } from "./harness.js";
import { testAppSecret } from "../helpers/env.js";

// The worker is started by each test, with the sending pace it needs.
const product = useProduct(["admin"]);
const { db } = product;
const admin: User = { id: testAdminId, first_name: "Админ" };

async function clientsInNetwork(n: number, firstTelegramId: number) {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push((await registerClient(db, { telegramId: firstTelegramId + i, firstName: `Клиент ${i}` }, { appSecret: testAppSecret })).client.telegramId!);
  return ids;
}

/** How many times each chat received the broadcast's text from the client bot. */
function receivedPerChat(chatIds: number[], text: string) {
  const calls = product.fake.calls(tokens.client).filter((c) => c.method === "sendMessage" && c.failed === undefined && c.params.text === text);
  return new Map(chatIds.map((id) => [id, calls.filter((c) => Number(c.params.chat_id) === id).length]));
}

async function startBroadcast(text: string, count: number) {
  await product.say("admin", admin, "/broadcast", /Кому отправить/);
  await product.press("admin", admin, /Всем клиентам/, /Пришлите текст/);
  await product.say("admin", admin, text, new RegExp(`Получателей: ${count}`));
  await product.press("admin", admin, new RegExp(`Отправить \\(${count}\\)`), /Рассылка запускается/);
}

describe("broadcasts end to end", () => {
  it("an admin's broadcast reaches every client once; a client who blocked the bot is marked and skipped next time", async () => {
    await product.startProcess("worker");
    const chats = await clientsInNetwork(12, 800_000);
    product.fake.blockChat(tokens.client, chats[3]!);
    const since = Date.now();
    await startBroadcast("Акция недели!", 12);
    await product.waitForMessage("admin", admin.id, /Рассылка завершена: доставлено 11 из 12, недоступно 1/, since, 30_000);
    const got = receivedPerChat(chats, "Акция недели!");
    expect([...got.values()].filter((n) => n === 1)).toHaveLength(11);
    expect(got.get(chats[3]!)).toBe(0);
    const [blocked] = await db.select().from(clients).where(eq(clients.telegramId, chats[3]!));
    expect(blocked!.unreachableSince).not.toBeNull();
    // The progress message was edited in place.
    expect(product.fake.calls(tokens.admin).some((c) => c.method === "editMessageText" && /Рассылка/.test(String(c.params.text)))).toBe(true);
    // Next time the unreachable client is not even tried.
    const next = Date.now();
    await startBroadcast("Вторая акция", 11);
    await product.waitForMessage("admin", admin.id, /доставлено 11 из 11/, next, 30_000);
    product.fake.unblockChat(tokens.client, chats[3]!);
  });

  it("a photo with a caption: uploaded to the client bot once, then sent by the client bot's own file id", async () => {
    await product.startProcess("worker");
    const chats = await clientsInNetwork(5, 820_000);
    await product.say("admin", admin, "/broadcast", /Кому отправить/);
    await product.press("admin", admin, /Всем клиентам/, /Пришлите текст/);
    const since = Date.now();
    product.fake.sendPhotoMessage(tokens.admin, admin, { caption: "Фото-акция" });
    await product.waitForMessage("admin", admin.id, /Получателей: 5/, since);
    await product.press("admin", admin, /Отправить \(5\)/, /Рассылка запускается/);
    await product.waitForMessage("admin", admin.id, /доставлено 5 из 5/, since, 30_000);
    const photos = product.fake.calls(tokens.client).filter((c) => c.method === "sendPhoto" && c.failed === undefined && c.params.caption === "Фото-акция");
    expect(photos.map((c) => Number(c.params.chat_id)).sort()).toEqual([...chats].sort());
    expect(photos.filter((c) => typeof c.params.photo === "object")).toHaveLength(1); // one upload
    expect(photos.filter((c) => typeof c.params.photo === "string")).toHaveLength(4); // then by id
  });

  it("a worker killed in the middle of a broadcast resumes after a restart: nobody gets it twice, nobody is silently skipped", async () => {
    await product.startProcess("worker", { SEND_RATE_PER_SECOND: "10" });
    const chats = await clientsInNetwork(40, 810_000);
    const text = "Большая рассылка";
    await startBroadcast(text, 40);
    // Let about a quarter go out, then kill the worker between two sends (the pace is one per 100 ms).
    await product.fake.waitFor(tokens.client, (c) => c.method === "sendMessage" && c.params.text === text && Number(c.params.chat_id) === chats[9], 30_000);
    await new Promise((r) => setTimeout(r, 50));
    await product.process("worker").kill();
    const delivered = [...receivedPerChat(chats, text).values()].filter((n) => n > 0).length;
    expect(delivered).toBeGreaterThanOrEqual(10);
    expect(delivered).toBeLessThan(40);

    const restarted = Date.now();
    await product.startProcess("worker", { SEND_RATE_PER_SECOND: "10" });
    // The dead worker's claim on the job lapses after its 30 s lease; then the new one resumes.
    await product.waitForMessage("admin", admin.id, /Рассылка завершена/, restarted, 90_000);
    const counts = [...receivedPerChat(chats, text).values()];
    expect(Math.max(...counts)).toBe(1);
    const statuses = await db.select({ status: broadcastDeliveries.status }).from(broadcastDeliveries);
    const uncertain = statuses.filter((s) => s.status === "uncertain").length;
    // A message in flight at the instant of the kill is the only one that may be unknown; it is reported, not resent.
    expect(uncertain).toBeLessThanOrEqual(1);
    expect(counts.filter((n) => n === 1).length + uncertain).toBe(40);
    expect(statuses.filter((s) => s.status === "sent").length).toBe(40 - uncertain);
  }, 150_000);
});
