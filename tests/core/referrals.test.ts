import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { jobs, ledgerEntries, referrals } from "../../db/schema/index.js";
import { registerClient, registerClientByPhone } from "../../core/clients/service.js";
import { balanceOf } from "../../core/ledger/post.js";
import { accrue } from "../../core/ledger/service.js";
import { bindReferral } from "../../core/referrals/service.js";
import { useTestDb } from "../helpers/db.js";
import { concurrently, makeClient, makePartner, newTelegramId, setSettings } from "../helpers/fixtures.js";
import { testAppSecret } from "../helpers/env.js";

const db = useTestDb();

describe("referrals", () => {
  it("pays the referrer only after the invitee's first accrual, and only once", async () => {
    await setSettings(db, { welcomeBonus: 0 });
    const p = await makePartner(db);
    const referrer = await makeClient(db);
    const { client: invitee, referrerClientId } = await registerClient(db, { telegramId: newTelegramId(), startPayload: `r_${referrer.client.referralCode}` }, { appSecret: testAppSecret });
    expect(referrerClientId).toBe(referrer.clientId);
    expect(await balanceOf(db, referrer.clientId)).toBe(0); // joining alone earns nothing

    const first = await accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: invitee.id, amountKopecks: 10_000, receiptNumber: "1" });
    expect(first.referralBonus).toEqual({ referrerClientId: referrer.clientId, points: 200 });
    await accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: invitee.id, amountKopecks: 10_000, receiptNumber: "2" });
    expect(await balanceOf(db, referrer.clientId)).toBe(200);
    const bonuses = await db.select().from(ledgerEntries).where(eq(ledgerEntries.kind, "referral_bonus"));
    expect(bonuses).toHaveLength(1);
    expect(bonuses[0]).toMatchObject({ clientId: referrer.clientId, partnerId: p.partnerId, idempotencyKey: `referral:${invitee.id}` });
    const notes = await db.select().from(jobs).where(eq(jobs.kind, "notify.client"));
    expect(notes.filter((j) => j.payload.message === "referral-bonus" && j.payload.clientId === referrer.clientId)).toHaveLength(1);
  });

  it("concurrent first accruals of the invitee still pay the bonus once", async () => {
    await setSettings(db, { welcomeBonus: 0 });
    const p = await makePartner(db);
    const referrer = await makeClient(db);
    const { client: invitee } = await registerClient(db, { telegramId: newTelegramId(), startPayload: `r_${referrer.client.referralCode}` }, { appSecret: testAppSecret });
    const { errors } = await concurrently(10, (i) => accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: invitee.id, amountKopecks: 10_000, receiptNumber: `c${i}` }));
    expect(errors).toEqual([]);
    expect(await balanceOf(db, referrer.clientId)).toBe(200);
  });

  it("the referrer is bound on first contact and never rebound by a later link", async () => {
    const a = await makeClient(db);
    const b = await makeClient(db);
    const telegramId = newTelegramId();
    await registerClient(db, { telegramId, startPayload: `r_${a.client.referralCode}` }, { appSecret: testAppSecret });
    const again = await registerClient(db, { telegramId, startPayload: `r_${b.client.referralCode}` }, { appSecret: testAppSecret });
    expect(again.created).toBe(false);
    const rows = await db.select().from(referrals).where(eq(referrals.inviteeClientId, again.client.id));
    expect(rows.map((r) => r.referrerClientId)).toEqual([a.clientId]);
    // Binding directly again is a no-op that reports the first referrer.
    const bound = await db.transaction((tx) => bindReferral(tx, { inviteeClientId: again.client.id, referralCode: b.client.referralCode, now: new Date() }));
    expect(bound).toBe(a.clientId);
  });

  it("no self-referral: directly refused, and ignored (not fatal) when it comes in a /start link", async () => {
    const p = await makePartner(db);
    // A client registered by phone owns a referral code before they ever open the bot...
    const { client } = await registerClientByPhone(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, phone: "+79161234567" });
    await expect(db.transaction((tx) => bindReferral(tx, { inviteeClientId: client.id, referralCode: client.referralCode, now: new Date() }))).rejects.toMatchObject({ code: "SELF_REFERRAL" });
    // ...and opening it with their own link and their phone joins them without a referral.
    const r = await registerClient(db, { telegramId: newTelegramId(), phone: "8 916 123-45-67", startPayload: `r_${client.referralCode}` }, { appSecret: testAppSecret });
    expect(r.client.id).toBe(client.id);
    expect(r.referrerClientId).toBeNull();
    expect(await db.select().from(referrals)).toEqual([]);
  });

  it("no cycles: an invitee's invitee cannot become the invitee's referrer", async () => {
    const p = await makePartner(db);
    const a = await registerClientByPhone(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, phone: "+79160000001" });
    const b = await makeClient(db, 0, { startPayload: `r_${a.client.referralCode}` });
    await expect(db.transaction((tx) => bindReferral(tx, { inviteeClientId: a.client.id, referralCode: b.client.referralCode, now: new Date() }))).rejects.toMatchObject({ code: "SELF_REFERRAL" });
  });

  it("an unknown referral code joins the client without a referrer", async () => {
    const r = await registerClient(db, { telegramId: newTelegramId(), startPayload: "r_NOSUCHCODE" }, { appSecret: testAppSecret });
    expect(r).toMatchObject({ created: true, referrerClientId: null });
  });
});
