import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { jobs, ledgerEntries, referrals } from "../../db/schema/index.js";
import { registerClient, registerClientByPhone } from "../../core/clients/service.js";
import { balanceOf, findBalanceDrift, postEntry } from "../../core/ledger/post.js";
import { accrue, adjustBalance, confirmRedemption, requestRedemption, undoOperation } from "../../core/ledger/service.js";
import { bindReferral } from "../../core/referrals/service.js";
import { useTestDb } from "../helpers/db.js";
import { adminId, concurrently, makeClient, makePartner, newTelegramId, setSettings } from "../helpers/fixtures.js";
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
    expect(bonuses[0]).toMatchObject({ clientId: referrer.clientId, partnerId: p.partnerId, purchaseId: first.purchaseId, idempotencyKey: `referral:${invitee.id}:${first.purchaseId}` });
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

describe("undoing the invitee's accrual and the referral bonus", () => {
  /** The referral bonuses of this invitee that stand (no reversal points at them). */
  const standingBonuses = (inviteeId: number) =>
    db.execute<{ id: string; idempotency_key: string; points: string }>(sql`
      SELECT b.id, b.idempotency_key, b.points FROM ledger_entries b
      WHERE b.kind = 'referral_bonus' AND (b.idempotency_key = ${`referral:${inviteeId}`} OR b.idempotency_key LIKE ${`referral:${inviteeId}:%`})
        AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses_entry_id = b.id)`);
  const rewarded = async (inviteeId: number) => (await db.select().from(referrals).where(eq(referrals.inviteeClientId, inviteeId)))[0]!.rewardedAt !== null;

  async function setup() {
    await setSettings(db, { welcomeBonus: 0 });
    const p = await makePartner(db);
    const referrer = await makeClient(db);
    const invitee = await makeClient(db, 0, { startPayload: `r_${referrer.client.referralCode}` });
    const staff = { kind: "staff" as const, partnerId: p.partnerId, staffTelegramId: p.staffTelegramId };
    const buy = (receiptNumber: string, amountKopecks = 2_000) => accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: invitee.clientId, amountKopecks, receiptNumber });
    return { p, referrer, invitee, staff, buy };
  }

  it("a 20 ₽ check then its undo leaves the referrer nothing; undoing twice replays; the next real accrual pays the bonus again", async () => {
    const { referrer, invitee, staff, buy } = await setup();
    const first = await buy("R-1");
    expect(first.points).toBe(1);
    expect(first.referralBonus).toEqual({ referrerClientId: referrer.clientId, points: 200 });
    expect(await balanceOf(db, referrer.clientId)).toBe(200);
    const [bonus] = await db.select().from(ledgerEntries).where(eq(ledgerEntries.kind, "referral_bonus"));

    const undo = await undoOperation(db, { entryId: first.ledgerEntryId!, actor: staff, reason: "wrong client" });
    expect(undo.replayed).toBe(false);
    expect(undo.referralBonusReversal).toMatchObject({
      clientId: referrer.clientId, kind: "reversal", points: -200, shortfall: 0, reversesEntryId: bonus!.id, purchaseId: first.purchaseId,
      actorType: "staff", actorTelegramId: staff.staffTelegramId, reason: "wrong client", balanceAfter: 0,
    });
    expect(await balanceOf(db, referrer.clientId)).toBe(0);
    expect(await balanceOf(db, invitee.clientId)).toBe(0);
    expect(await standingBonuses(invitee.clientId)).toEqual([]);
    expect(await rewarded(invitee.clientId)).toBe(false);
    // The referrer is told through the outbox, like any undo.
    const told = await db.select().from(jobs).where(and(eq(jobs.kind, "notify.client"), sql`${jobs.payload}->>'message' = 'referral-bonus-undone'`));
    expect(told.map((j) => j.payload)).toEqual([{ clientId: referrer.clientId, message: "referral-bonus-undone", params: { points: -200, balance: 0 } }]);

    // Undoing again replays the first undo: nothing more is written, the bonus is not reversed twice.
    const rowsBefore = (await db.select().from(ledgerEntries)).length;
    const again = await undoOperation(db, { entryId: first.ledgerEntryId!, actor: staff });
    expect(again).toMatchObject({ replayed: true, reversal: { id: undo.reversal.id } });
    expect((await db.select().from(ledgerEntries)).length).toBe(rowsBefore);
    expect(await balanceOf(db, referrer.clientId)).toBe(0);

    // The invitee's next real first accrual earns the bonus again, linked to that purchase.
    const second = await buy("R-2", 10_000);
    expect(second.referralBonus).toEqual({ referrerClientId: referrer.clientId, points: 200 });
    expect(await balanceOf(db, referrer.clientId)).toBe(200);
    expect((await standingBonuses(invitee.clientId)).map((b) => b.idempotency_key)).toEqual([`referral:${invitee.clientId}:${second.purchaseId}`]);
    expect(await findBalanceDrift(db)).toEqual([]);
  });

  it("a referrer who spent the bonus: the undo takes back what is left and records the rest as the shortfall", async () => {
    const { p, referrer, invitee, staff, buy } = await setup();
    const first = await buy("R-1");
    const req = await requestRedemption(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: referrer.clientId, checkKopecks: 100_000, points: 150, idempotencyKey: "spend-bonus" });
    await confirmRedemption(db, { by: { kind: "client", clientId: referrer.clientId, requestId: req.id }, decisionKey: "spend-bonus" });
    expect(await balanceOf(db, referrer.clientId)).toBe(50);

    const undo = await undoOperation(db, { entryId: first.ledgerEntryId!, actor: { kind: "admin", adminTelegramId: adminId } });
    expect(undo.referralBonusReversal).toMatchObject({ clientId: referrer.clientId, points: -50, shortfall: 150, balanceAfter: 0, actorType: "admin" });
    expect(await balanceOf(db, referrer.clientId)).toBe(0);
    expect(await standingBonuses(invitee.clientId)).toEqual([]);
    // Audited like the undo itself.
    const [auditRow] = await db.execute<{ details: Record<string, unknown> }>(sql`SELECT details FROM audit_log WHERE action = 'ledger.undo' AND target_id = ${undo.referralBonusReversal!.reversesEntryId}`);
    expect(auditRow!.details).toMatchObject({ kind: "referral_bonus", points: 200, reversed: -50, shortfall: 150, becauseOf: first.ledgerEntryId });

    // All of it spent: nothing to take back, the whole bonus is the shortfall; the next accrual pays again.
    const second = await buy("R-2");
    expect(await balanceOf(db, referrer.clientId)).toBe(200);
    await adjustBalance(db, { adminTelegramId: adminId, clientId: referrer.clientId, points: -200, reason: "spent elsewhere", idempotencyKey: "spent-all" });
    const undo2 = await undoOperation(db, { entryId: second.ledgerEntryId!, actor: staff });
    expect(undo2.referralBonusReversal).toMatchObject({ points: 0, shortfall: 200, balanceAfter: 0 });
    expect(await findBalanceDrift(db)).toEqual([]);
  });

  it("the bonus stands while any accrual of the invitee that earned points stands: undoing another one touches no bonus", async () => {
    const { referrer, invitee, staff, buy } = await setup();
    const first = await buy("R-1");
    const later = await buy("R-2");
    expect(later.referralBonus).toBeNull();

    // A non-first accrual undone: the bonus stays.
    const undoLater = await undoOperation(db, { entryId: later.ledgerEntryId!, actor: staff });
    expect(undoLater.referralBonusReversal).toBeNull();
    expect(await balanceOf(db, referrer.clientId)).toBe(200);

    // The first undone while a later real purchase stands: the bonus is still earned, it stays (and is not paid again).
    const third = await buy("R-3");
    expect(third.referralBonus).toBeNull();
    const undoFirst = await undoOperation(db, { entryId: first.ledgerEntryId!, actor: staff });
    expect(undoFirst.referralBonusReversal).toBeNull();
    expect(await balanceOf(db, referrer.clientId)).toBe(200);
    expect(await rewarded(invitee.clientId)).toBe(true);
    expect((await buy("R-4")).referralBonus).toBeNull();
    expect(await standingBonuses(invitee.clientId)).toHaveLength(1);

    // The last ones undone: the bonus goes with them.
    await undoOperation(db, { entryId: third.ledgerEntryId!, actor: staff });
    expect(await standingBonuses(invitee.clientId)).toHaveLength(1);
    const fourth = (await db.select().from(ledgerEntries).where(and(eq(ledgerEntries.clientId, invitee.clientId), eq(ledgerEntries.kind, "accrual")))).at(-1)!;
    const last = await undoOperation(db, { entryId: fourth.id, actor: staff });
    expect(last.referralBonusReversal).toMatchObject({ clientId: referrer.clientId, points: -200 });
    expect(await balanceOf(db, referrer.clientId)).toBe(0);
    expect(await standingBonuses(invitee.clientId)).toEqual([]);
  });

  it("a bonus paid before bonuses were linked to their purchase (key referral:<invitee>) is reversed the same way", async () => {
    await setSettings(db, { welcomeBonus: 0 });
    const p = await makePartner(db);
    const referrer = await makeClient(db);
    const invitee = await makeClient(db);
    const acc = await accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: invitee.clientId, amountKopecks: 10_000, receiptNumber: "old" });
    // As the earlier code left it: the referral stamped, the bonus keyed by the invitee alone and linked to no purchase.
    const now = new Date();
    await db.insert(referrals).values({ referrerClientId: referrer.clientId, inviteeClientId: invitee.clientId, createdAt: now, rewardedAt: now });
    const legacy = await db.transaction((tx) =>
      postEntry(tx, { clientId: referrer.clientId, partnerId: p.partnerId, kind: "referral_bonus", points: 200, idempotencyKey: `referral:${invitee.clientId}`, actorType: "system", createdAt: now }),
    );
    const undo = await undoOperation(db, { entryId: acc.ledgerEntryId!, actor: { kind: "staff", partnerId: p.partnerId, staffTelegramId: p.staffTelegramId } });
    expect(undo.referralBonusReversal).toMatchObject({ reversesEntryId: legacy.id, points: -200 });
    expect(await balanceOf(db, referrer.clientId)).toBe(0);
    expect(await rewarded(invitee.clientId)).toBe(false);
    // The next accrual earns it under the new key: one bonus stands.
    const next = await accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: invitee.clientId, amountKopecks: 10_000, receiptNumber: "new" });
    expect(next.referralBonus).not.toBeNull();
    expect((await standingBonuses(invitee.clientId)).map((b) => b.idempotency_key)).toEqual([`referral:${invitee.clientId}:${next.purchaseId}`]);
  });

  it("an accrual that read its context before an undo withdrew the bonus, and writes after it, earns the bonus again", async () => {
    const { p, referrer, invitee, staff, buy } = await setup();
    const first = await buy("F");
    // The new accrual reads everything it decides on, then stalls before its writes (the database is real: only
    // the order of its calls is held) while the first accrual is undone and the bonus withdrawn.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let calls = 0;
    const stalled = new Proxy(db, {
      get(target, prop) {
        const value = Reflect.get(target, prop) as unknown;
        if (typeof value !== "function") return value;
        if (prop !== "execute" && prop !== "transaction") return value.bind(target);
        return async (...args: unknown[]) => {
          if (calls++ > 0) await gate;
          return value.apply(target, args);
        };
      },
    });
    const next = accrue(stalled, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: invitee.clientId, amountKopecks: 2_000, receiptNumber: "N" });
    while (calls === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    const undo = await undoOperation(db, { entryId: first.ledgerEntryId!, actor: staff });
    expect(undo.referralBonusReversal).not.toBeNull();
    open();
    const n = await next;
    // The invitee has one standing accrual that earned points: exactly one bonus stands, linked to it.
    expect(n.referralBonus).toEqual({ referrerClientId: referrer.clientId, points: 200 });
    expect((await standingBonuses(invitee.clientId)).map((b) => b.idempotency_key)).toEqual([`referral:${invitee.clientId}:${n.purchaseId}`]);
    expect(await balanceOf(db, referrer.clientId)).toBe(200);
  });

  it("an undo of the first accrual racing a new accrual of the same invitee never leaves two bonuses, or one without a standing accrual", async () => {
    const { referrer, invitee, staff, buy } = await setup();
    for (let round = 0; round < 8; round++) {
      const first = await buy(`F${round}`);
      const [, next] = await Promise.all([undoOperation(db, { entryId: first.ledgerEntryId!, actor: staff }), buy(`N${round}`)]);
      const standing = await standingBonuses(invitee.clientId);
      expect(standing, `round ${round}`).toHaveLength(1);
      expect(await rewarded(invitee.clientId)).toBe(true);
      expect(await balanceOf(db, referrer.clientId)).toBe(200);
      // Clear the invitee's standing accruals for the next round: the bonus goes with the last.
      await undoOperation(db, { entryId: next.ledgerEntryId!, actor: staff });
      expect(await standingBonuses(invitee.clientId), `round ${round}, all undone`).toEqual([]);
      expect(await balanceOf(db, referrer.clientId)).toBe(0);
    }
    expect(await findBalanceDrift(db)).toEqual([]);
  });
});
