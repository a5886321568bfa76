import { Api } from "grammy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PacedSender } from "../../worker/sender.js";
import { FakeBotApi, tooManyRequests } from "../helpers/fake-bot-api.js";
import { botInfo, tokens } from "../helpers/processes.js";

let fake: FakeBotApi;
beforeAll(async () => {
  fake = await FakeBotApi.start();
  fake.addBot(tokens.client, botInfo.client);
});
afterAll(() => fake.stop());

const sends = (since: number) => fake.calls(tokens.client).filter((c) => c.method === "sendMessage" && c.at >= since && c.failed === undefined);

describe("PacedSender against the fake Bot API", () => {
  it("never sends two messages to one chat less than a second apart, and stays under the per-bot rate", async () => {
    const sender = new PacedSender(new Api(tokens.client, { apiRoot: fake.url }), { perSecond: 20, perChatIntervalMs: 1_000 });
    const since = Date.now();
    // Three to one chat, two to another, and 40 others: more than two seconds of sending at 20/s.
    const chats = [1, 1, 1, 2, 3, 4, 5, 6, 2, ...Array.from({ length: 36 }, (_, i) => 100 + i)];
    const outcomes = await Promise.all(chats.map((chatId, i) => sender.send({ chatId, text: `m${i}` })));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const calls = sends(since);
    expect(calls).toHaveLength(chats.length);
    const byChat = new Map<number, number[]>();
    for (const c of calls) byChat.set(Number(c.params.chat_id), [...(byChat.get(Number(c.params.chat_id)) ?? []), c.at]);
    for (const times of byChat.values()) for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1_000);
    // 20/s: no one-second window (as Telegram counts) holds more than 20 arrivals, give or take one at its edge.
    const arrivals = calls.map((c) => c.at);
    const busiest = Math.max(...arrivals.map((start) => arrivals.filter((t) => t >= start && t < start + 1_000).length));
    expect(busiest).toBeGreaterThanOrEqual(15); // it did send at pace, not slower
    expect(busiest).toBeLessThanOrEqual(21);
  });

  it("a 429 with retry_after pauses the whole bot, then the message is sent; a 403 is reported as unreachable", async () => {
    const sender = new PacedSender(new Api(tokens.client, { apiRoot: fake.url }), { perSecond: 50, perChatIntervalMs: 1_000 });
    fake.failNext(tokens.client, "sendMessage", tooManyRequests(1));
    fake.blockChat(tokens.client, 99);
    const since = Date.now();
    const [a, b, c] = await Promise.all([sender.send({ chatId: 11, text: "a" }), sender.send({ chatId: 12, text: "b" }), sender.send({ chatId: 99, text: "c" })]);
    expect(a.ok && b.ok).toBe(true);
    expect(c).toEqual({ ok: false, unreachable: true });
    const all = fake.calls(tokens.client).filter((x) => x.method === "sendMessage" && x.at >= since);
    const rejected = all.find((x) => x.failed === 429)!;
    const after = all.filter((x) => x.at > rejected.at);
    // Nothing at all went out for the retry_after second, to any chat.
    expect(Math.min(...after.map((x) => x.at)) - rejected.at).toBeGreaterThanOrEqual(990);
    expect(sends(since).map((x) => Number(x.params.chat_id)).sort()).toEqual([11, 12]);
    fake.unblockChat(tokens.client, 99);
  });
});
