import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { cardResponse, historyResponse, networkResponse, tillCodeResponse } from "../../web/api.js";
import { clientIdForCode, clientCodeTtlSeconds } from "../../core/clients/codes.js";
import { setClientBlocked } from "../../core/clients/service.js";
import { moderateService, submitService } from "../../core/catalog/service.js";
import { accrue, adjustBalance } from "../../core/ledger/service.js";
import { createPromotion } from "../../core/promotions/service.js";
import { checkInitData } from "../../web/server/init-data.js";
import { clients, ledgerEntries, userSettings } from "../../db/schema/index.js";
import { adminId, makeClient, makePartner, newTelegramId, setSettings } from "../helpers/fixtures.js";
import { call, clientBotToken, clientBotUsername, errorOf, initDataFor, otherBotToken, useWebApp } from "./api-helpers.js";

const ctx = useWebApp();
const { app, db, redis, clock } = ctx;

/** Every Mini App route, with a request that is valid for a signed-in client. A new route must be added here. */
const appRoutes: { method: string; path: string; body?: unknown }[] = [
  { method: "GET", path: "/api/app/card" },
  { method: "POST", path: "/api/app/code" },
  { method: "GET", path: "/api/app/history" },
  { method: "GET", path: "/api/app/network" },
  { method: "PUT", path: "/api/app/language", body: { language: "en" } },
];

async function client(points = 0) {
  await setSettings(db, { welcomeBonus: 0 });
  return makeClient(db, points);
}

describe("Mini App API: who is calling", () => {
  it("every /api/app route is in the table above, and each refuses a call without initData (401)", async () => {
    const registered = new Set(app.routes.filter((r) => r.path.startsWith("/api/app/") && r.method !== "ALL").map((r) => `${r.method} ${r.path}`));
    expect([...registered].sort()).toEqual(appRoutes.map((r) => `${r.method} ${r.path}`).sort());
    for (const route of appRoutes) {
      const res = await call(app, route.method, route.path, { body: route.body });
      expect(res.status, `${route.method} ${route.path}`).toBe(401);
      expect((await errorOf(res)).code).toBe("INIT_DATA_INVALID");
      const wrongScheme = await call(app, route.method, route.path, { body: route.body, headers: { authorization: `Bearer ${initDataFor({ id: 1 })}` } });
      expect(wrongScheme.status).toBe(401);
    }
  });

  it("every route answers a client with valid initData", async () => {
    const { telegramId } = await client(100);
    for (const route of appRoutes) {
      const res = await call(app, route.method, route.path, { body: route.body, initData: initDataFor({ id: telegramId }) });
      expect(res.status, `${route.method} ${route.path}`).toBe(200);
    }
  });

  it("refuses initData that was tampered with, signed by another bot, or has no hash", async () => {
    const a = await client(100);
    const b = await client(900);
    const valid = initDataFor({ id: a.telegramId });
    // Someone swaps the user inside A's signed data for B's: the hash no longer matches.
    const params = new URLSearchParams(valid);
    params.set("user", JSON.stringify({ id: b.telegramId, first_name: "Иван" }));
    const swapped = params.toString();
    const flippedHash = valid.replace(/hash=([0-9a-f])/, (_, d: string) => `hash=${d === "0" ? "1" : "0"}`);
    const noHash = valid.replace(/&?hash=[0-9a-f]+/, "");
    const otherBot = initDataFor({ id: a.telegramId }, { token: otherBotToken });
    for (const initData of [swapped, flippedHash, noHash, otherBot, "garbage", `${valid}&extra=1`]) {
      const res = await call(app, "GET", "/api/app/card", { initData });
      expect(res.status, initData.slice(0, 40)).toBe(401);
      expect((await errorOf(res)).code).toBe("INIT_DATA_INVALID");
    }
    expect((await call(app, "GET", "/api/app/card", { initData: valid })).status).toBe(200);
  });

  it("refuses initData older than INIT_DATA_MAX_AGE_SECONDS (401 expired) and far in the future", async () => {
    const { telegramId } = await client();
    const now = clock.now();
    const at = (secondsAgo: number) => initDataFor({ id: telegramId }, { authDate: new Date(now.getTime() - secondsAgo * 1000) });
    const old = await call(app, "GET", "/api/app/card", { initData: at(3_601) });
    expect(old.status).toBe(401);
    expect((await errorOf(old)).code).toBe("INIT_DATA_EXPIRED");
    expect((await call(app, "GET", "/api/app/card", { initData: at(3_590) })).status).toBe(200);
    const future = await call(app, "GET", "/api/app/card", { initData: at(-600) });
    expect(future.status).toBe(401);
    expect((await errorOf(future)).code).toBe("INIT_DATA_INVALID");
    // The same initData, once valid, expires as the clock moves on.
    const fresh = at(0);
    expect((await call(app, "GET", "/api/app/card", { initData: fresh })).status).toBe(200);
    clock.advanceSeconds(3_601);
    expect((await call(app, "GET", "/api/app/card", { initData: fresh })).status).toBe(401);
  });

  it("the check itself is the library's signature (sign ↔ checkInitData agree) and reads the user", () => {
    const initData = initDataFor({ id: 4242, firstName: "Мария" });
    const check = checkInitData(initData, { botToken: clientBotToken, maxAgeSeconds: 60, now: new Date() });
    expect(check).toMatchObject({ ok: true, user: { id: 4242, firstName: "Мария", languageCode: "ru" } });
    expect(checkInitData(initData, { botToken: otherBotToken, maxAgeSeconds: 60, now: new Date() })).toMatchObject({ ok: false, code: "INIT_DATA_INVALID" });
  });

  it("someone who never started the bot gets 404 NOT_A_CLIENT; a blocked client 403", async () => {
    const stranger = await call(app, "GET", "/api/app/card", { initData: initDataFor({ id: newTelegramId() }) });
    expect(stranger.status).toBe(404);
    expect((await errorOf(stranger)).code).toBe("NOT_A_CLIENT");
    const { clientId, telegramId } = await client(50);
    await setClientBlocked(db, { adminTelegramId: adminId, clientId, blocked: true, reason: "fraud check" });
    const blocked = await call(app, "POST", "/api/app/code", { initData: initDataFor({ id: telegramId }) });
    expect(blocked.status).toBe(403);
    expect((await errorOf(blocked)).code).toBe("CLIENT_BLOCKED");
  });
});

describe("Mini App API: the client's own data", () => {
  it("the card: balance, tier and progress, the referral link with friends who joined and who brought a bonus", async () => {
    const { partnerId, staffTelegramId } = await makePartner(db);
    const me = await client(250);
    const [row] = await db.select().from(clients).where(eq(clients.id, me.clientId));
    // Two friends join through the link; one buys, which brings the referral bonus.
    const friend = await makeClient(db, 0, { startPayload: `r_${row!.referralCode}` });
    await makeClient(db, 0, { startPayload: `r_${row!.referralCode}` });
    await accrue(db, { partnerId, staffTelegramId, clientId: friend.clientId, amountKopecks: 100_000, receiptNumber: "R-1" });

    const res = await call(app, "GET", "/api/app/card", { initData: initDataFor({ id: me.telegramId }) });
    expect(res.status).toBe(200);
    const card = cardResponse.parse(await res.json());
    expect(card).toMatchObject({
      firstName: "Иван",
      language: "ru",
      balance: 250 + 200, // the adjustment, and the referral bonus
      tier: "bronze",
      nextTier: "silver",
      thresholds: { silver: 500, gold: 1_500, platinum: 3_000 },
      rateBp: 500,
      referral: { link: `https://t.me/${clientBotUsername}?start=r_${row!.referralCode}`, code: row!.referralCode, joined: 2, rewarded: 1, bonusPoints: 200 },
    });
    expect(card.pointsToNext).toBe(500 - card.earned);
  });

  it("a till code names this client in Redis for ten minutes", async () => {
    const { clientId, telegramId } = await client();
    const res = await call(app, "POST", "/api/app/code", { initData: initDataFor({ id: telegramId }) });
    const body = tillCodeResponse.parse(await res.json());
    expect(await clientIdForCode(redis, body.code)).toBe(clientId);
    expect(body.ttlSeconds).toBe(clientCodeTtlSeconds);
    expect(new Date(body.expiresAt).getTime()).toBe(clock.now().getTime() + clientCodeTtlSeconds * 1000);
    expect(await redis.ttl(`client-code:${body.code}`)).toBeGreaterThan(clientCodeTtlSeconds - 5);
  });

  it("asking for codes in a loop is slowed down (429)", async () => {
    const { clientId, telegramId } = await client();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await call(app, "POST", "/api/app/code", { initData: initDataFor({ id: telegramId }) })).status);
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses[20]).toBe(429);
    // The counter goes with its minute.
    const ttl = await redis.ttl(`web-rate:app-code:${clientId}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it("history pages through the client's own ledger only, whatever `before` says", async () => {
    const mine = await client(10);
    const theirs = await client(20);
    for (let i = 1; i <= 3; i++) {
      await adjustBalance(db, { adminTelegramId: adminId, clientId: mine.clientId, points: i, reason: "bonus", idempotencyKey: `m-${i}` });
      await adjustBalance(db, { adminTelegramId: adminId, clientId: theirs.clientId, points: i, reason: "bonus", idempotencyKey: `t-${i}` });
    }
    const initData = initDataFor({ id: mine.telegramId });
    const first = historyResponse.parse(await (await call(app, "GET", "/api/app/history?limit=2", { initData })).json());
    expect(first.items.map((i) => i.points)).toEqual([3, 2]);
    expect(first.nextBefore).not.toBeNull();
    const second = historyResponse.parse(await (await call(app, "GET", `/api/app/history?limit=2&before=${first.nextBefore}`, { initData })).json());
    expect(second.items.map((i) => i.points)).toEqual([1, 10]);
    expect(second.nextBefore).toBeNull();
    // `before` past the other client's newest entry still lists only mine.
    const all = historyResponse.parse(await (await call(app, "GET", "/api/app/history?limit=50&before=999999", { initData })).json());
    const ownIds = (await db.select({ id: ledgerEntries.id }).from(ledgerEntries).where(eq(ledgerEntries.clientId, mine.clientId))).map((r) => r.id);
    expect(all.items.map((i) => i.id).sort()).toEqual(ownIds.sort());
  });

  it("bad paging input is a 400 naming the field", async () => {
    const { telegramId } = await client();
    const initData = initDataFor({ id: telegramId });
    for (const [query, field] of [
      ["limit=0", "limit"],
      ["limit=51", "limit"],
      ["limit=x", "limit"],
      ["before=-3", "before"],
      ["before=abc", "before"],
    ] as const) {
      const res = await call(app, "GET", `/api/app/history?${query}`, { initData });
      expect(res.status, query).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: "VALIDATION", field });
    }
  });

  it("network: current promotions and approved services, with partners' addresses", async () => {
    const { partnerId, staffTelegramId } = await makePartner(db, "Пекарня");
    const now = clock.now();
    await createPromotion(db, { partnerId, staffTelegramId, title: "Круассаны −20%", body: "Каждое утро", startsAt: new Date(now.getTime() - 3_600_000), endsAt: new Date(now.getTime() + 86_400_000) });
    const service = await submitService(db, { partnerId, staffTelegramId, name: "Торт на заказ", description: "За сутки", priceKopecks: 150_000 });
    await moderateService(db, { adminTelegramId: adminId, serviceId: service.id, verdict: { decision: "approve" } });
    const { telegramId } = await client();
    const body = networkResponse.parse(await (await call(app, "GET", "/api/app/network", { initData: initDataFor({ id: telegramId }) })).json());
    expect(body.promotions).toEqual([expect.objectContaining({ title: "Круассаны −20%", partnerName: "Пекарня", partnerAddress: "Тверская, 1" })]);
    expect(body.services).toEqual([expect.objectContaining({ name: "Торт на заказ", priceKopecks: 150_000, partnerAddress: "Тверская, 1" })]);
  });

  it("language: the same choice as /language in the bots; bad input names the field", async () => {
    const { clientId, telegramId } = await client();
    const initData = initDataFor({ id: telegramId });
    const res = await call(app, "PUT", "/api/app/language", { initData, body: { language: "en" } });
    expect(await res.json()).toEqual({ language: "en" });
    const [row] = await db.select({ language: clients.language }).from(clients).where(eq(clients.id, clientId));
    expect(row!.language).toBe("en");
    const [choice] = await db.select().from(userSettings).where(eq(userSettings.telegramId, telegramId));
    expect(choice!.language).toBe("en");
    for (const [body, field] of [
      [{ language: "de" }, "language"],
      [{}, "language"],
      [{ language: "ru", clientId: 1 }, "clientId"],
      ["not json", "body"],
    ] as const) {
      const bad = await call(app, "PUT", "/api/app/language", { initData, body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect((await errorOf(bad)).field).toBe(field);
    }
  });
});
