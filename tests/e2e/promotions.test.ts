import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { promotions } from "../../db/schema/index.js";
import { registerClient } from "../../core/clients/service.js";
import { addDays, fixedClock, startOfDay } from "../../core/clock.js";
import { moderateApplication, submitApplication } from "../../core/partners/service.js";
import { createPromotion } from "../../core/promotions/service.js";
import { testAppSecret } from "../helpers/env.js";
import { tokens, testAdminId } from "../helpers/processes.js";
import { useProduct, type User } from "./harness.js";

const product = useProduct(["client", "partner", "worker"]);
const { db } = product;

const owner: User = { id: 541, first_name: "Мария" };
const alice: User = { id: 641, first_name: "Алиса" };
const bob: User = { id: 642, first_name: "Борис" };

/** dd.mm.yyyy of a day `days` from today, Moscow time, as a partner types it and as the bots show it in Russian. */
const day = (days: number) => new Intl.DateTimeFormat("ru-RU", { day: "2-digit", month: "2-digit", year: "numeric", timeZone: "Europe/Moscow" }).format(addDays(new Date(), days));

async function setup() {
  const p = await submitApplication(db, { telegramId: owner.id, name: "Книжный", category: "shop", address: "Литейный, 3", contactName: "Мария", phone: "+79990004455" });
  await moderateApplication(db, { adminTelegramId: testAdminId, partnerId: p.id, verdict: { decision: "approve" } });
  for (const [user, phone] of [[alice, "+79160000041"], [bob, "+79160000042"]] as const) {
    await registerClient(db, { telegramId: user.id, firstName: user.first_name, phone }, { appSecret: testAppSecret });
  }
  return p.id;
}

const toClient = (chatId: number, since: number) =>
  product.fake.calls(tokens.client).filter((c) => c.at >= since && c.failed === undefined && Number(c.params.chat_id) === chatId && ["sendMessage", "sendPhoto"].includes(c.method));
const textOf = (c: { params: Record<string, unknown> }) => String(c.params.text ?? c.params.caption ?? "");

describe("promotions with a period and a picture", () => {
  it("/newpromo asks for the period (refusing bad dates) and a picture; clients see it with its dates and picture, uploaded to the client bot once", async () => {
    const partnerId = await setup();
    await product.say("partner", owner, "/newpromo", /Заголовок акции/);
    await product.say("partner", owner, "Скидка на классику", /Текст акции/);
    await product.say("partner", owner, "Весь месяц -10% на русскую классику", /Когда идёт акция\?[\s\S]*не дольше 366 дней/i);
    await product.say("partner", owner, "31.02", /Не понял даты/);
    await product.say("partner", owner, `${day(-3)}–${day(5)}`, /в прошлом/);
    await product.say("partner", owner, `${day(5)}–${day(1)}`, /конца раньше даты начала/);
    await product.say("partner", owner, `${day(0)}–${day(400)}`, /не дольше 366 дней/);
    await product.say("partner", owner, `${day(0)}–${day(10)}`, /Пришлите картинку/);
    await product.say("partner", owner, "вот", /Пришлите фото или нажмите «Без картинки»/);
    const since = Date.now();
    product.fake.sendPhotoMessage(tokens.partner, owner);
    await product.waitForMessage("partner", owner.id, new RegExp(`с картинкой опубликована: клиенты увидят её с ${day(0)} по ${day(10)}`), since);
    const [stored] = await db.select().from(promotions).where(eq(promotions.partnerId, partnerId));
    expect(stored!.imageFileId).toBeTruthy();

    // A promotion already over and one yet to start are not shown; one without a picture is shown as text.
    const staff = { partnerId, staffTelegramId: owner.id };
    const monthAgo = addDays(new Date(), -40);
    await createPromotion(db, { ...staff, title: "Прошлогодняя", body: "Уже закончилась", startsAt: startOfDay(monthAgo), endsAt: addDays(monthAgo, 5) }, fixedClock(monthAgo));
    await createPromotion(db, { ...staff, title: "Будущая", body: "Ещё не началась", startsAt: startOfDay(addDays(new Date(), 3)), endsAt: addDays(new Date(), 9) });
    await createPromotion(db, { ...staff, title: "Без картинки", body: "Просто текст", startsAt: startOfDay(new Date()), endsAt: addDays(new Date(), 2) });

    // The first client to look: the worker uploads the picture to the client bot with the card as its caption.
    let asked = Date.now();
    await product.say("client", alice, "/promotions", /Акции сети/);
    const card = new RegExp(`Книжный: Скидка на классику\\n📅 ${day(0)} — ${day(10)}\\n\\nВесь месяц -10% на русскую классику`);
    const first = await product.fake.waitFor(tokens.client, (c) => c.at >= asked && c.method === "sendPhoto" && c.failed === undefined && Number(c.params.chat_id) === alice.id && card.test(textOf(c)), 15_000);
    expect(typeof first.params.photo).toBe("object"); // uploaded (the partner bot's file id is no good in the client bot)
    await product.waitForMessage("client", alice.id, new RegExp(`Без картинки\\n📅 ${day(0)} — ${day(2)}`), asked);
    await new Promise((r) => setTimeout(r, 500));
    const seen = toClient(alice.id, asked).map(textOf).join("\n");
    expect(seen).not.toMatch(/Прошлогодняя|Будущая/);

    // Everyone after: the client bot sends it at once by its own file id (the fake refuses another bot's ids).
    asked = Date.now();
    await product.say("client", bob, "/promotions", /Акции сети/);
    const second = await product.waitForMessage("client", bob.id, card, asked);
    expect(second.method).toBe("sendPhoto");
    expect(second.params.photo).toBe((first.result as { photo: { file_id: string }[] }).photo.at(-1)!.file_id);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(product.fake.calls(tokens.client).filter((c) => c.method === "sendPhoto" && typeof c.params.photo === "object")).toHaveLength(1);
    expect(toClient(bob.id, asked).map(textOf).join("\n")).not.toMatch(/Прошлогодняя|Будущая/);
  });

  it("a promotion without a picture: the Skip button; clients see its title and dates", async () => {
    await setup();
    await product.say("partner", owner, "/newpromo", /Заголовок акции/);
    await product.say("partner", owner, "Чай в подарок", /Текст акции/);
    await product.say("partner", owner, "К каждой книге", /Когда идёт акция/);
    await product.say("partner", owner, day(6), /Пришлите картинку/);
    await product.press("partner", owner, /Без картинки/, new RegExp(`«Чай в подарок» опубликована: клиенты увидят её с ${day(0)} по ${day(6)}`));
    await product.say("client", alice, "/promotions", new RegExp(`Книжный: Чай в подарок\\n📅 ${day(0)} — ${day(6)}`));
    const [stored] = await db.select().from(promotions);
    expect(stored!.imageFileId).toBeNull();
  });
});
