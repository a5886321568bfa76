import { describe, expect, it } from "vitest";
import { addStaff } from "../../core/partners/service.js";
import { createLoginLink, sessionByToken, signInWithLink } from "../../core/web-auth/service.js";
import { dashboardLoginLinks } from "../../db/schema/index.js";
import type { RecordedCall } from "../helpers/fake-bot-api.js";
import { useTestDb } from "../helpers/db.js";
import { makePartner, newTelegramId } from "../helpers/fixtures.js";
import { useFakeTelegram } from "../helpers/worker.js";
import { useInProcessBot } from "../helpers/in-process-bot.js";
import { tokens } from "../helpers/processes.js";

const db = useTestDb({ max: 5 });
const telegram = useFakeTelegram();
const bots = useInProcessBot(db, telegram);

const publicUrl = "https://cashback.example";
const admin = { id: 7_200_001, first_name: "Админ" };
const adminIds = [admin.id];

type User = { id: number; first_name: string; language_code?: string };
type Bot = "admin" | "partner";
type Button = { text: string; url?: string; callback_data?: string };

/** Sends `text` to the bot and waits for its message to `user` matching `expected`; returns that call. */
async function say(bot: Bot, user: User, text: string, expected: RegExp): Promise<RecordedCall> {
  const since = Date.now();
  telegram.fake.sendText(tokens[bot], user, text);
  return waitText(bot, user, expected, since);
}

const waitText = (bot: Bot, user: User, expected: RegExp, since: number) =>
  telegram.fake.waitFor(tokens[bot], (c) => c.at >= since && c.failed === undefined && c.method === "sendMessage" && Number(c.params.chat_id) === user.id && expected.test(String(c.params.text)), 20_000);

const buttonsOf = (call: RecordedCall): Button[] => ((call.params.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard ?? []).flat();

/** The sign-in token in the message's URL button (after `#sign-in=`), checking the URL's shape on the way. */
function tokenIn(call: RecordedCall): string {
  const open = buttonsOf(call).find((b) => b.url !== undefined);
  expect(open?.url).toMatch(new RegExp(`^${publicUrl.replaceAll(".", "\\.")}/dashboard/#sign-in=[A-Za-z0-9_-]{40,}$`));
  return open!.url!.split("#sign-in=")[1]!;
}

async function till() {
  const p = await makePartner(db);
  const cashierId = newTelegramId();
  await addStaff(db, { partnerId: p.partnerId, ownerTelegramId: p.staffTelegramId, telegramId: cashierId });
  return { p, owner: { id: p.staffTelegramId, first_name: "Анна" }, cashier: { id: cashierId, first_name: "Касса" } };
}

describe("/dashboard in the admin bot", () => {
  it("sends a one-time link (button, no preview, expiry stated) whose token signs the admin in once", async () => {
    bots.start("admin", { adminIds, publicUrl });
    const call = await say("admin", admin, "/dashboard", /Ссылка для входа/);
    expect(String(call.params.text)).toMatch(/один раз и действует 10 мин — до \d\d:\d\d \(МСК\)/);
    expect(call.params.link_preview_options).toEqual({ is_disabled: true });
    expect(buttonsOf(call).map((b) => b.text)).toEqual(["Открыть панель", "Выйти на всех устройствах"]);

    const signedIn = await signInWithLink(db, { token: tokenIn(call), adminIds });
    expect(signedIn?.session).toMatchObject({ telegramId: admin.id, role: "admin", partnerId: null });
    expect(await signInWithLink(db, { token: tokenIn(call), adminIds })).toBeNull();
  });

  it("speaks English to an admin whose Telegram is in English", async () => {
    bots.start("admin", { adminIds, publicUrl });
    const call = await say("admin", { ...admin, language_code: "en" }, "/dashboard", /sign-in link/);
    expect(String(call.params.text)).toMatch(/works once, for 10 min — until \d\d:\d\d (AM |PM )?\(Moscow time\)/);
    expect(buttonsOf(call).map((b) => b.text)).toEqual(["Open the dashboard", "Log out everywhere"]);
  });

  it("'Log out everywhere' ends the admin's open sessions and voids the unused link", async () => {
    bots.start("admin", { adminIds, publicUrl });
    // A session opened earlier in some browser.
    const earlier = await createLoginLink(db, { identity: { telegramId: admin.id, role: "admin", partnerId: null }, adminIds });
    const open = await signInWithLink(db, { token: earlier.token, adminIds });
    expect(await sessionByToken(db, open!.sessionToken)).not.toBeNull();

    const call = await say("admin", admin, "/dashboard", /Ссылка для входа/);
    const logout = buttonsOf(call).find((b) => b.callback_data !== undefined)!;
    const since = Date.now();
    telegram.fake.pressButton(tokens.admin, admin, logout.callback_data!, { message_id: (call.result as { message_id: number }).message_id, chat_id: admin.id });
    await waitText("admin", admin, /Завершён 1 сеанс панели/, since);

    expect(await sessionByToken(db, open!.sessionToken)).toBeNull();
    expect(await signInWithLink(db, { token: tokenIn(call), adminIds })).toBeNull();
    // Its buttons are gone from the link message.
    const cleared = await telegram.fake.waitFor(tokens.admin, (c) => c.at >= since && c.method === "editMessageReplyMarkup");
    expect(buttonsOf(cleared)).toEqual([]);

    // Pressed again: nothing left to end.
    const again = Date.now();
    telegram.fake.pressButton(tokens.admin, admin, logout.callback_data!);
    await waitText("admin", admin, /Открытых сеансов панели не было/, again);
  });

  it("without PUBLIC_URL says so, naming the setting, and writes no link", async () => {
    bots.start("admin", { adminIds });
    const call = await say("admin", admin, "/dashboard", /PUBLIC_URL/);
    expect(String(call.params.text)).toMatch(/ещё нет адреса/);
    expect(await db.select().from(dashboardLoginLinks)).toHaveLength(0);
  });

  it("is refused to someone who is not an admin", async () => {
    bots.start("admin", { adminIds, publicUrl });
    await say("admin", { id: newTelegramId(), first_name: "Кто-то" }, "/dashboard", /для администраторов сети/);
    expect(await db.select().from(dashboardLoginLinks)).toHaveLength(0);
  });
});

describe("/dashboard in the partner bot", () => {
  it("gives the owner a link to the partner's own dashboard", async () => {
    const { p, owner } = await till();
    bots.start("partner", { publicUrl });
    const call = await say("partner", owner, "/dashboard", /Ссылка для входа/);
    const signedIn = await signInWithLink(db, { token: tokenIn(call), adminIds: [] });
    expect(signedIn?.session).toMatchObject({ telegramId: owner.id, role: "partner", partnerId: p.partnerId });
  });

  it("refuses a cashier and writes no link", async () => {
    const { cashier } = await till();
    bots.start("partner", { publicUrl });
    const call = await say("partner", cashier, "/dashboard", /только владелец/);
    expect(buttonsOf(call)).toEqual([]);
    expect(await db.select().from(dashboardLoginLinks)).toHaveLength(0);
  });

  it("answers a stranger as usual and writes no link", async () => {
    bots.start("partner", { publicUrl });
    await say("partner", { id: newTelegramId(), first_name: "Гость" }, "/dashboard", /Чтобы подключить своё заведение/);
    expect(await db.select().from(dashboardLoginLinks)).toHaveLength(0);
  });

  it("without PUBLIC_URL tells the owner to ask the network's admin", async () => {
    const { owner } = await till();
    bots.start("partner");
    await say("partner", owner, "/dashboard", /ещё не настроена\. Обратитесь к администратору сети/);
    expect(await db.select().from(dashboardLoginLinks)).toHaveLength(0);
  });

  it("'Log out everywhere' ends the owner's sessions", async () => {
    const { p, owner } = await till();
    bots.start("partner", { publicUrl });
    const first = await say("partner", owner, "/dashboard", /Ссылка для входа/);
    const a = await signInWithLink(db, { token: tokenIn(first), adminIds: [] });
    const second = await say("partner", owner, "/dashboard", /Ссылка для входа/);
    const b = await signInWithLink(db, { token: tokenIn(second), adminIds: [] });
    expect(a?.session.partnerId).toBe(p.partnerId);

    const since = Date.now();
    telegram.fake.pressButton(tokens.partner, owner, buttonsOf(second).find((x) => x.callback_data)!.callback_data!);
    await waitText("partner", owner, /Завершено 2 сеанса панели/, since);
    expect(await sessionByToken(db, a!.sessionToken)).toBeNull();
    expect(await sessionByToken(db, b!.sessionToken)).toBeNull();
  });
});
