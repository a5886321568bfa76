import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { clients, ledgerEntries, purchases } from "../../db/schema/index.js";
import { attachPhone, clientHistory, clientSummary, deleteClientData, findClient, registerClient, registerClientByPhone } from "../../core/clients/service.js";
import { looksLikePhone, normalizePhone } from "../../core/clients/phone.js";
import { balanceOf, findBalanceDrift } from "../../core/ledger/post.js";
import { accrue } from "../../core/ledger/service.js";
import { rowCounts, useTestDb } from "../helpers/db.js";
import { makeClient, makePartner, newTelegramId, setSettings } from "../helpers/fixtures.js";
import { testAppSecret } from "../helpers/env.js";

const db = useTestDb();

describe("phones", () => {
  it.each([
    ["+7 (999) 000-11-22", "+79990001122"],
    ["8 999 000 11 22", "+79990001122"],
    ["9990001122", "+79990001122"],
    ["+44 20 7946 0958", "+442079460958"],
  ])("%s → %s", (raw, e164) => expect(normalizePhone(raw)).toBe(e164));

  it("looksLikePhone tells a phone from a client code or a six-digit till code", () => {
    expect(["+7 (916) 555-01-01", "89165550101", "9165550101"].map(looksLikePhone)).toEqual([true, true, true]);
    expect(["123456", "ABCD2345", "916-55", "звоните"].map(looksLikePhone)).toEqual([false, false, false, false]);
  });

  it.each(["", "abc", "+0123", "12345", "+7999000112233445566", "8-800-ДОСТАВКА"])("%j is refused", (raw) => {
    expect(() => normalizePhone(raw)).toThrow(expect.objectContaining({ code: "VALIDATION" }));
  });
});

describe("a client a cashier registered by phone is one real row that the phone's owner later claims", () => {
  it("registering with that phone claims the row: same id, history and tier kept, welcome bonus paid once", async () => {
    await setSettings(db, { welcomeBonus: 100 });
    const p = await makePartner(db);
    const { client: placeholder } = await registerClientByPhone(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, phone: "+79161234567" });
    await accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: placeholder.id, amountKopecks: 1_200_000, receiptNumber: "1" }); // 600 points: silver
    const telegramId = newTelegramId();
    const r = await registerClient(db, { telegramId, phone: "8 916 123-45-67", firstName: "Вера" }, { appSecret: testAppSecret });
    expect(r).toMatchObject({ created: true, welcomeBonus: 100, client: { id: placeholder.id, telegramId, sourcePartnerId: p.partnerId } });
    expect(await db.select().from(clients)).toHaveLength(1);
    const s = await clientSummary(db, placeholder.id);
    expect(s).toMatchObject({ balance: 700, tier: "silver" });
    // Opening the bot again changes nothing.
    expect(await registerClient(db, { telegramId, phone: "+79161234567" }, { appSecret: testAppSecret })).toMatchObject({ created: false, welcomeBonus: 0 });
  });

  it("sharing the phone after joining without it merges the two rows: points moved by ledger rows, purchases and tier follow", async () => {
    await setSettings(db, { welcomeBonus: 0 });
    const p = await makePartner(db);
    const { client: byPhone } = await registerClientByPhone(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, phone: "+79161234567" });
    await accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: byPhone.id, amountKopecks: 1_200_000, receiptNumber: "1" });
    const me = await makeClient(db, 50);
    const { mergedClientId, client } = await attachPhone(db, { clientId: me.clientId, phone: "+7 916 123 45 67" });
    expect(mergedClientId).toBe(byPhone.id);
    expect(client.phone).toBe("+79161234567");
    expect(await balanceOf(db, me.clientId)).toBe(650);
    expect(await balanceOf(db, byPhone.id)).toBe(0);
    const moves = await db.select().from(ledgerEntries).where(eq(ledgerEntries.kind, "merge"));
    expect(moves.map((m) => [m.clientId, m.points]).sort()).toEqual([[byPhone.id, -600], [me.clientId, 600]].sort());
    const [old] = await db.select().from(clients).where(eq(clients.id, byPhone.id));
    expect(old).toMatchObject({ status: "merged", mergedIntoClientId: me.clientId, phone: null });
    expect((await db.select().from(purchases)).map((x) => x.clientId)).toEqual([me.clientId]);
    expect((await clientSummary(db, me.clientId)).tier).toBe("silver");
    expect(await findBalanceDrift(db)).toEqual([]);
    expect(await findClient(db, { id: byPhone.id })).toBeNull();
  });

  it("a phone that belongs to another Telegram user is refused and nothing changes", async () => {
    const a = await makeClient(db);
    await attachPhone(db, { clientId: a.clientId, phone: "+79160000001" });
    const b = await makeClient(db);
    const before = await rowCounts(db);
    await expect(attachPhone(db, { clientId: b.clientId, phone: "89160000001" })).rejects.toMatchObject({ code: "PHONE_TAKEN" });
    await expect(registerClient(db, { telegramId: newTelegramId(), phone: "+79160000001" }, { appSecret: testAppSecret })).rejects.toMatchObject({ code: "PHONE_TAKEN" });
    expect(await rowCounts(db)).toEqual(before);
  });
});

describe("deleting and joining again", () => {
  it("pays no second welcome bonus and binds no new referral", async () => {
    await setSettings(db, { welcomeBonus: 100 });
    const friend = await makeClient(db);
    const telegramId = newTelegramId();
    const first = await registerClient(db, { telegramId }, { appSecret: testAppSecret });
    expect(first.welcomeBonus).toBe(100);
    await deleteClientData(db, { clientId: first.client.id }, { appSecret: testAppSecret });
    const again = await registerClient(db, { telegramId, startPayload: `r_${friend.client.referralCode}` }, { appSecret: testAppSecret });
    expect(again).toMatchObject({ created: true, welcomeBonus: 0, referrerClientId: null });
    expect(again.client.id).not.toBe(first.client.id);
    expect(await balanceOf(db, again.client.id)).toBe(0);
    // The deleted row keeps no Telegram id, only its one-way hash.
    const [erased] = await db.select().from(clients).where(eq(clients.id, first.client.id));
    expect(erased).toMatchObject({ telegramId: null, status: "deleted" });
    expect(erased!.erasedTelegramHash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("history", () => {
  it("pages newest first without overlap: 10, 10, 5", async () => {
    await setSettings(db, { welcomeBonus: 0 });
    const p = await makePartner(db);
    const c = await makeClient(db);
    for (let i = 0; i < 25; i++) await accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: c.clientId, amountKopecks: 2_000 * (i + 1), receiptNumber: `h${i}` });
    const seen: number[] = [];
    let beforeId: number | null = null;
    const sizes: number[] = [];
    do {
      const page = await clientHistory(db, { clientId: c.clientId, limit: 10, beforeId });
      sizes.push(page.entries.length);
      seen.push(...page.entries.map((e) => e.id));
      beforeId = page.nextBeforeId;
    } while (beforeId !== null);
    expect(sizes).toEqual([10, 10, 5]);
    expect(new Set(seen).size).toBe(25);
    expect(seen).toEqual([...seen].sort((x, y) => y - x));
  });
});
