import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { addMinutes, fixedClock } from "../../core/clock.js";
import { isDomainError } from "../../core/errors.js";
import { balanceOf, findBalanceDrift } from "../../core/ledger/post.js";
import {
  cancelRedemption,
  confirmRedemption,
  declineRedemption,
  maxWrongCodesPerRequest,
  maxWrongCodesPerStaffHour,
  requestRedemption,
  type RedemptionRequest,
} from "../../core/ledger/service.js";
import { addStaff } from "../../core/partners/service.js";
import { codeAttemptFailures, jobs, ledgerEntries, redemptionRequests } from "../../db/schema/index.js";
import { useTestDb } from "../helpers/db.js";
import { concurrently, makeClient, makePartner, newTelegramId, setSettings } from "../helpers/fixtures.js";

const db = useTestDb();
const t0 = new Date("2026-06-01T12:00:00Z");

type Till = { partnerId: number; staffTelegramId: number };

async function setup() {
  await setSettings(db, { welcomeBonus: 0 });
  const p = await makePartner(db);
  const cashier = newTelegramId();
  await addStaff(db, { partnerId: p.partnerId, ownerTelegramId: p.staffTelegramId, telegramId: cashier });
  return { partnerId: p.partnerId, owner: { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId }, cashier: { partnerId: p.partnerId, staffTelegramId: cashier } };
}

async function ask(till: Till, clientId: number, at = t0, points = 100, key = `req-${Math.random()}`) {
  return requestRedemption(db, { ...till, clientId, checkKopecks: 100_000, points, idempotencyKey: key }, fixedClock(at));
}

/** A six-digit code that is not `code`. */
const wrongFor = (code: string, i = 0) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, "0");

const typeCode = (till: Till, request: RedemptionRequest, code: string, at = t0, key = `key-${Math.random()}`) =>
  confirmRedemption(db, { by: { kind: "partner", ...till, requestId: request.id, code }, decisionKey: key }, fixedClock(at));

async function refusal(p: Promise<unknown>) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isDomainError(err)) throw new Error(`expected a refusal, got ${String(err)}`);
  return { code: err.code, details: err.details };
}

async function requestRow(id: number) {
  const [row] = await db.select().from(redemptionRequests).where(eq(redemptionRequests.id, id));
  return row!;
}

const redemptionsOf = (clientId: number) => db.select().from(ledgerEntries).where(and(eq(ledgerEntries.clientId, clientId), eq(ledgerEntries.kind, "redemption")));

describe("a redemption code cannot be guessed", () => {
  it("a brute force over the codes is stopped after 5 wrong ones: the request is cancelled, the client told, and the right code then spends nothing", async () => {
    const s = await setup();
    const c = await makeClient(db, 500);
    const request = await ask(s.cashier, c.clientId);
    // Every code from 000000 up, with the right one somewhere after the first five.
    const guesses = Array.from({ length: 30 }, (_, i) => wrongFor(request.code, i));
    guesses.splice(10, 0, request.code);
    const outcomes: string[] = [];
    for (const guess of guesses) outcomes.push((await refusal(typeCode(s.cashier, request, guess))).code);

    expect(outcomes.slice(0, 4)).toEqual(Array(4).fill("REDEMPTION_CODE_WRONG"));
    expect(outcomes.slice(4)).toEqual(Array(guesses.length - 4).fill("REDEMPTION_CODE_LOCKED"));
    expect(await balanceOf(db, c.clientId)).toBe(500);
    expect(await redemptionsOf(c.clientId)).toEqual([]);
    expect(await requestRow(request.id)).toMatchObject({ status: "cancelled", wrongCodeAttempts: maxWrongCodesPerRequest, ledgerEntryId: null });
    // Only the five that counted are recorded against the cashier; the client is told once.
    expect(await db.select().from(codeAttemptFailures)).toHaveLength(maxWrongCodesPerRequest);
    const told = (await db.select().from(jobs).where(eq(jobs.kind, "notify.client"))).filter((j) => j.payload.message === "redemption-code-locked");
    expect(told.map((j) => j.payload)).toEqual([{ clientId: c.clientId, message: "redemption-code-locked", params: { points: 100 } }]);
    // The client's own button on it says why, and spends nothing either.
    expect(await refusal(confirmRedemption(db, { by: { kind: "client", clientId: c.clientId, requestId: request.id }, decisionKey: "cbq-1" }))).toMatchObject({ code: "REDEMPTION_CODE_LOCKED" });
    expect(await balanceOf(db, c.clientId)).toBe(500);
    expect(await findBalanceDrift(db)).toEqual([]);
  });

  it("counts down the attempts left, and the right code within them works", async () => {
    const s = await setup();
    const c = await makeClient(db, 500);
    const request = await ask(s.cashier, c.clientId);
    expect(await refusal(typeCode(s.cashier, request, wrongFor(request.code, 0)))).toEqual({ code: "REDEMPTION_CODE_WRONG", details: { attemptsLeft: 4 } });
    expect(await refusal(typeCode(s.cashier, request, wrongFor(request.code, 1)))).toEqual({ code: "REDEMPTION_CODE_WRONG", details: { attemptsLeft: 3 } });
    const d = await typeCode(s.cashier, request, request.code);
    expect(d).toMatchObject({ balanceAfter: 400, replayed: false });
    expect(await requestRow(request.id)).toMatchObject({ status: "confirmed", wrongCodeAttempts: 2 });
  });

  it("a code is checked against the request whose button was pressed only: another pending request's code is wrong there, and wrong codes for A leave B alone", async () => {
    const s = await setup();
    const alice = await makeClient(db, 500);
    const bob = await makeClient(db, 500);
    const a = await ask(s.cashier, alice.clientId);
    const b = await ask(s.owner, bob.clientId);
    // B's code typed for A: wrong, counted on A, nothing spent anywhere.
    expect((await refusal(typeCode(s.cashier, a, b.code))).code).toBe("REDEMPTION_CODE_WRONG");
    for (let i = 0; i < 4; i++) await refusal(typeCode(s.cashier, a, wrongFor(a.code, i)));
    expect(await requestRow(a.id)).toMatchObject({ status: "cancelled", wrongCodeAttempts: 5 });
    expect(await requestRow(b.id)).toMatchObject({ status: "pending", wrongCodeAttempts: 0 });
    expect(await balanceOf(db, alice.clientId)).toBe(500);
    expect(await balanceOf(db, bob.clientId)).toBe(500);
    // B still works with its own code, for the till that has its button.
    expect((await typeCode(s.owner, b, b.code)).balanceAfter).toBe(400);
  });

  it("a staff member past 20 wrong codes in an hour is refused any code, the right one included, until the hour has passed; other staff are not", async () => {
    const s = await setup();
    const clients = await Promise.all(Array.from({ length: 5 }, () => makeClient(db, 500)));
    // 20 wrong codes over four requests (five each).
    for (const c of clients.slice(0, 4)) {
      const r = await ask(s.cashier, c.clientId);
      for (let i = 0; i < maxWrongCodesPerRequest; i++) await refusal(typeCode(s.cashier, r, wrongFor(r.code, i)));
    }
    expect(await db.select().from(codeAttemptFailures)).toHaveLength(maxWrongCodesPerStaffHour);

    const later = addMinutes(t0, 25);
    const last = clients[4]!;
    const fresh = await ask(s.cashier, last.clientId, later);
    const before = await db.select().from(codeAttemptFailures);
    expect(await refusal(typeCode(s.cashier, fresh, fresh.code, later))).toEqual({ code: "CODE_ATTEMPTS_EXCEEDED", details: { minutes: 35 } });
    expect(await refusal(typeCode(s.cashier, fresh, wrongFor(fresh.code), later))).toMatchObject({ code: "CODE_ATTEMPTS_EXCEEDED" });
    // Refused before anything is looked at: no count on the request, none on the cashier, nothing spent.
    expect(await requestRow(fresh.id)).toMatchObject({ status: "pending", wrongCodeAttempts: 0 });
    expect(await db.select().from(codeAttemptFailures)).toEqual(before);
    expect(await balanceOf(db, last.clientId)).toBe(500);

    // Another cashier of the partner is not affected…
    const other = await ask(s.owner, last.clientId, later);
    expect((await typeCode(s.owner, other, other.code, later)).balanceAfter).toBe(400);
    // …and an hour after the wrong codes the cashier may type codes again.
    const nextHour = addMinutes(t0, 61);
    const again = await ask(s.cashier, clients[0]!.clientId, nextHour);
    expect((await typeCode(s.cashier, again, again.code, nextHour)).balanceAfter).toBe(400);
  });

  it("concurrent guesses cannot slip past either cap", async () => {
    const s = await setup();
    const c = await makeClient(db, 500);
    const one = await ask(s.cashier, c.clientId);
    const onOne = await concurrently(30, (i) => typeCode(s.cashier, one, wrongFor(one.code, i)));
    expect(onOne.ok).toEqual([]);
    expect((await requestRow(one.id)).wrongCodeAttempts).toBe(maxWrongCodesPerRequest);
    expect(await db.select().from(codeAttemptFailures)).toHaveLength(maxWrongCodesPerRequest);

    // 40 guesses at once over eight requests: the cashier's hourly cap holds exactly.
    const many = await Promise.all(Array.from({ length: 8 }, async () => ask(s.cashier, (await makeClient(db, 500)).clientId)));
    const spread = await concurrently(40, (i) => typeCode(s.cashier, many[i % 8]!, wrongFor(many[i % 8]!.code, i)));
    expect(spread.ok).toEqual([]);
    expect(await db.select().from(codeAttemptFailures)).toHaveLength(maxWrongCodesPerStaffHour);
    expect(await db.select().from(ledgerEntries).where(eq(ledgerEntries.kind, "redemption"))).toEqual([]);
  });
});

describe("a redemption is told to the cashier who asked, and a replaced request says so", () => {
  it("the client is told of the spent points once: by the edited confirmation in the bot, or by a message when the code was named at the till", async () => {
    const s = await setup();
    const inBot = await makeClient(db, 500);
    const atTill = await makeClient(db, 500);
    const first = await ask(s.cashier, inBot.clientId, t0, 100, "in-bot");
    await confirmRedemption(db, { by: { kind: "client", clientId: inBot.clientId, requestId: first.id }, decisionKey: "in-bot" }, fixedClock(t0));
    const second = await ask(s.cashier, atTill.clientId, t0, 100, "at-till");
    await typeCode(s.cashier, second, second.code);
    const told = (await db.select().from(jobs).where(eq(jobs.kind, "notify.client"))).filter((j) => j.payload.message === "points-redeemed");
    expect(told.map((j) => j.payload.clientId)).toEqual([atTill.clientId]);
  });

  it("a second cashier's request replaces the first: the first cashier is told at once, the client's old button says why", async () => {
    const s = await setup();
    const c = await makeClient(db, 500);
    const first = await ask(s.cashier, c.clientId, t0, 100, "first");
    const second = await ask(s.owner, c.clientId, addMinutes(t0, 1), 200, "second");
    const cashierJobs = await db.select().from(jobs).where(eq(jobs.kind, "redemption.tell-cashier"));
    expect(cashierJobs.map((j) => j.payload)).toEqual([{ redemptionRequestId: first.id, message: "redemption-superseded", params: { newRequestId: second.id } }]);
    expect(await refusal(confirmRedemption(db, { by: { kind: "client", clientId: c.clientId, requestId: first.id }, decisionKey: "old" }))).toEqual({
      code: "REDEMPTION_SUPERSEDED",
      details: { newRequestId: String(second.id) },
    });
    // The replaced request's code is no good either, at its own till.
    expect((await refusal(typeCode(s.cashier, first, first.code))).code).toBe("REDEMPTION_SUPERSEDED");
    await confirmRedemption(db, { by: { kind: "client", clientId: c.clientId, requestId: second.id }, decisionKey: "new" }, fixedClock(addMinutes(t0, 2)));
    expect(await balanceOf(db, c.clientId)).toBe(300);
    const told = (await db.select().from(jobs).where(eq(jobs.kind, "redemption.tell-cashier"))).map((j) => j.payload);
    expect(told).toContainEqual({ redemptionRequestId: second.id, message: "redemption-confirmed" });
  });

  it("two tills asking at once leave exactly one request open", async () => {
    const s = await setup();
    const c = await makeClient(db, 500);
    const { ok } = await concurrently(2, (i) => ask(i === 0 ? s.cashier : s.owner, c.clientId, t0, 100, `at-once-${i}`));
    expect(ok).toHaveLength(2);
    const pending = await db.select().from(redemptionRequests).where(eq(redemptionRequests.status, "pending"));
    expect(pending).toHaveLength(1);
    const superseded = await db.select().from(jobs).where(eq(jobs.kind, "redemption.tell-cashier"));
    expect(superseded).toHaveLength(1);
  });

  it("a decline tells the cashier who asked; the code typed by that cashier needs no message; a withdrawn request says the cashier cancelled it", async () => {
    const s = await setup();
    const c = await makeClient(db, 500);
    const declined = await ask(s.cashier, c.clientId, t0, 100, "d");
    await declineRedemption(db, { clientId: c.clientId, requestId: declined.id, decisionKey: "no" });
    const typed = await ask(s.cashier, c.clientId, t0, 100, "t");
    await typeCode(s.cashier, typed, typed.code);
    const withdrawn = await ask(s.cashier, c.clientId, t0, 100, "w");
    await cancelRedemption(db, { ...s.cashier, requestId: withdrawn.id });
    expect(await refusal(confirmRedemption(db, { by: { kind: "client", clientId: c.clientId, requestId: withdrawn.id }, decisionKey: "late" }))).toMatchObject({ code: "REDEMPTION_CANCELLED" });
    const told = (await db.select().from(jobs).where(eq(jobs.kind, "redemption.tell-cashier"))).map((j) => j.payload);
    expect(told).toEqual([{ redemptionRequestId: declined.id, message: "redemption-declined" }]);
    // Nothing goes to every member of the partner's staff any more.
    const partnerWide = await db.execute<{ n: string }>(sql`SELECT count(*) AS n FROM jobs WHERE kind = 'notify.partner' AND payload->>'message' LIKE 'redemption-%'`);
    expect(Number(partnerWide[0]!.n)).toBe(0);
  });
});
