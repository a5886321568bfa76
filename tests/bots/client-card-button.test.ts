import { describe, expect, it } from "vitest";
import type { RecordedCall } from "../helpers/fake-bot-api.js";
import { useTestDb } from "../helpers/db.js";
import { makeClient, newTelegramId } from "../helpers/fixtures.js";
import { useFakeTelegram } from "../helpers/worker.js";
import { useInProcessBot } from "../helpers/in-process-bot.js";
import { tokens } from "../helpers/processes.js";

const db = useTestDb({ max: 5 });
const telegram = useFakeTelegram();
const bots = useInProcessBot(db, telegram);

const publicUrl = "https://cashback.example";
const appUrl = `${publicUrl}/app/`;

type User = { id: number; first_name: string; language_code?: string };
type Button = { text: string; web_app?: { url: string }; callback_data?: string };

const buttonsOf = (call: RecordedCall): Button[] => ((call.params.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard ?? []).flat();

async function say(user: User, text: string, expected: RegExp): Promise<RecordedCall> {
  const since = Date.now();
  telegram.fake.sendText(tokens.client, user, text);
  return waitText(user, expected, since);
}

const waitText = (user: User, expected: RegExp, since: number) =>
  telegram.fake.waitFor(tokens.client, (c) => c.at >= since && c.failed === undefined && c.method === "sendMessage" && Number(c.params.chat_id) === user.id && expected.test(String(c.params.text)), 20_000);

const menuButtonCallsSince = (since: number) => telegram.fake.calls(tokens.client).filter((c) => c.at >= since && c.method === "setChatMenuButton");

describe("the client bot opens the Mini App ('💳 My card')", () => {
  it("at start, sets its default menu button to the Mini App", async () => {
    const since = Date.now();
    bots.start("client", { publicUrl });
    const call = await telegram.fake.waitFor(tokens.client, (c) => c.at >= since && c.method === "setChatMenuButton");
    expect(call.params).toEqual({ menu_button: { type: "web_app", text: "💳 Карта", web_app: { url: appUrl } } });
  });

  it("a known client's /start: the welcome, then a message with the web_app button; the chat's menu button in their language", async () => {
    const { telegramId } = await makeClient(db, 120);
    const user = { id: telegramId, first_name: "Иван", language_code: "en" };
    bots.start("client", { publicUrl });
    await say(user, "/start", /С возвращением|Welcome back/);
    const offer = await waitText(user, /app|приложении/, 0);
    expect(buttonsOf(offer)).toEqual([{ text: expect.stringMatching(/^💳 /), web_app: { url: appUrl } }]);
    const perChat = await telegram.fake.waitFor(tokens.client, (c) => c.method === "setChatMenuButton" && Number(c.params.chat_id) === telegramId);
    expect(perChat.params.menu_button).toEqual({ type: "web_app", text: expect.stringMatching(/^💳 /), web_app: { url: appUrl } });
  });

  it("the balance answer carries the web_app button", async () => {
    const { telegramId } = await makeClient(db, 120);
    bots.start("client", { publicUrl });
    const call = await say({ id: telegramId, first_name: "Иван" }, "/balance", /Баланс: \d+ балл/);
    expect(buttonsOf(call)).toEqual([{ text: "💳 Моя карта", web_app: { url: appUrl } }]);
  });

  it("a new client gets the button when onboarding completes", async () => {
    const user = { id: newTelegramId(), first_name: "Новая" };
    bots.start("client", { publicUrl });
    const prompt = await say(user, "/start", /Выберите язык/);
    const russian = buttonsOf(prompt).find((b) => /Русский/.test(b.text))!;
    telegram.fake.pressButton(tokens.client, user, russian.callback_data!);
    await waitText(user, /номер/, 0);
    await say(user, "Пропустить", /Добро пожаловать/);
    const offer = await waitText(user, /в приложении/, 0);
    expect(buttonsOf(offer)).toEqual([{ text: "💳 Моя карта", web_app: { url: appUrl } }]);
  });

  it("without PUBLIC_URL: no button anywhere and no menu button", async () => {
    const { telegramId } = await makeClient(db, 120);
    const user = { id: telegramId, first_name: "Иван" };
    const since = Date.now();
    bots.start("client");
    await say(user, "/start", /С возвращением/);
    const balance = await say(user, "/balance", /Баланс: \d+ балл/);
    expect(buttonsOf(balance)).toEqual([]);
    const sent = telegram.fake.calls(tokens.client).filter((c) => c.at >= since && c.method === "sendMessage" && Number(c.params.chat_id) === telegramId);
    expect(sent.map((c) => String(c.params.text))).not.toContainEqual(expect.stringMatching(/в приложении/));
    expect(menuButtonCallsSince(since)).toEqual([]);
  });
});
