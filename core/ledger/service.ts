import { timingSafeEqual } from "node:crypto";
import { and, desc, eq, gt, lte, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { at, type DbOrTx, type Tx } from "../../db/client.js";
import { clients, codeAttemptFailures, ledgerEntries, purchases, redemptionRequests, type PartnerSettings } from "../../db/schema/index.js";
import { audit } from "../audit/service.js";
import { activeClient } from "../clients/service.js";
import { addHours, addMinutes, systemClock, type Clock } from "../clock.js";
import { DomainError } from "../errors.js";
import { randomDigits } from "../ids.js";
import { enqueue } from "../jobs/outbox.js";
import { requireActiveStaff } from "../partners/access.js";
import { lockReferralOf, rewardReferralIfDue, withdrawReferralBonusIfUnearned, type Referral } from "../referrals/service.js";
import { defaultNetworkSettings, effectiveSettings, getNetworkSettings, networkSettingsSchema, type Tier } from "../settings/service.js";
import { identifier, multiline, parseInput, textField } from "../validation.js";
import { countLedgerWrite } from "../ops/metrics.js";
import { appendEntry, balanceOf, findEntryByKey, movePoints, postEntry, runIdempotent, type LedgerEntry } from "./post.js";
import { cashbackPoints, earnedPointsSql, redeemCap, tierFor } from "./tiers.js";

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const kopecks = z.number().int().positive("must be more than zero").max(Number.MAX_SAFE_INTEGER);
/** A receipt number as printed on a check: 1–64 visible characters; "R‑100" (U+2011) and "R-100" are one receipt. */
export const receiptNumberRule = identifier(1, 64);
const receiptNumber = textField(receiptNumberRule);
const idempotencyKey = z.string().min(1).max(200);

// ---------------------------------------------------------------------------------------------
// Accrual

const accrueInput = z.object({ partnerId: id, staffTelegramId: id, clientId: id, amountKopecks: kopecks, receiptNumber });

export type AccrualResult = {
  purchaseId: number;
  ledgerEntryId: number | null;
  points: number;
  tier: Tier;
  rateBp: number;
  /** The client's balance right after this accrual (the same for every replay). */
  balanceAfter: number;
  /** True when this call found the accrual an earlier call with the same receipt had made. */
  replayed: boolean;
  referralBonus: { referrerClientId: number; points: number } | null;
  tierUp: Tier | null;
};

/**
 * Cashback for a check: floor(rubles × the tier's rate). Idempotent on (partner, receipt number): the same
 * receipt again returns the first result; the same receipt with another client or amount is refused.
 * In the same transaction: the referral bonus if this is the invitee's first accrual, the client's
 * notification and the NPS question for later.
 */
export async function accrue(db: DbOrTx, rawInput: z.input<typeof accrueInput>, clock: Clock = systemClock): Promise<AccrualResult> {
  const input = parseInput(accrueInput, rawInput);
  return runIdempotent(async () => {
    const now = clock.now();
    const c = await accrualContext(db, input, now);
    if (!c) throw new DomainError("PARTNER_NOT_FOUND", "no such partner");
    if (c.partner_status !== "approved") throw new DomainError("PARTNER_NOT_ACTIVE", "partner is not active", { status: c.partner_status });
    if (!c.is_staff) throw new DomainError("FORBIDDEN", "not on this partner's staff");
    const settings = effectiveSettings(networkSettingsSchema.parse(c.network ?? {}), c.partner_settings);
    if (input.amountKopecks > settings.maxCheckKopecks) {
      throw new DomainError("VALIDATION", "check amount is too large", { field: "amountKopecks", max: settings.maxCheckKopecks });
    }
    if (c.previous) return replayAccrual(c.previous, input);
    if (c.client_status === null || c.client_status === "deleted" || c.client_status === "merged") throw new DomainError("CLIENT_NOT_FOUND", "no such client");
    if (c.client_status === "blocked") throw new DomainError("CLIENT_BLOCKED", "client is blocked");

    const earnedBefore = Number(c.earned);
    const tier = tierFor(earnedBefore, settings.tierThresholds);
    const rateBp = settings.ratesBp[tier];
    const points = cashbackPoints(input.amountKopecks, rateBp);
    const tierAfter = tierFor(earnedBefore + points, settings.tierThresholds);
    const plan: AccrualPlan = { ...input, now, tier, rateBp, points, tierUp: tierAfter !== tier ? tierAfter : null, partnerName: c.partner_name, npsAt: addMinutes(now, settings.npsDelayMinutes) };
    // Almost always: one atomic statement. An invitee's accrual that earns points may pay the referrer (a check too
    // small for cashback does not count): a transaction that holds the referral row, so an undo of the invitee's
    // accrual racing this one decides on the bonus before or after it, never beside it.
    return c.is_invitee && points > 0 ? db.transaction((tx) => writeAccrualWithReferral(tx, plan)) : writeAccrual(db, plan);
  });
}

type AccrualPlan = {
  partnerId: number;
  staffTelegramId: number;
  clientId: number;
  amountKopecks: number;
  receiptNumber: string;
  now: Date;
  tier: Tier;
  rateBp: number;
  points: number;
  tierUp: Tier | null;
  partnerName: string;
  npsAt: Date;
};

const accrualEntry = (a: AccrualPlan) => ({
  clientId: a.clientId,
  partnerId: a.partnerId,
  kind: "accrual" as const,
  points: a.points,
  idempotencyKey: "",
  actorType: "staff" as const,
  actorTelegramId: a.staffTelegramId,
  createdAt: a.now,
});

/**
 * The accrual's writes as one statement: the check, the balance and ledger row (the same SQL `postEntry` runs),
 * the client's notification and the NPS question. A duplicate receipt fails it whole on the unique index.
 */
async function writeAccrual(db: DbOrTx, a: AccrualPlan): Promise<AccrualResult> {
  const jobsSql = sql`
    INSERT INTO jobs (kind, payload, run_at, dedupe_key)
    SELECT 'notify.client', jsonb_build_object('clientId', ${a.clientId}::bigint, 'message', 'points-accrued',
        'params', jsonb_build_object('points', ${a.points}::bigint, 'partner', ${a.partnerName}::text, 'balance', bal.points)), ${at(a.now)}, NULL FROM bal
    UNION ALL SELECT 'nps.ask', jsonb_build_object('purchaseId', p.id), ${at(a.npsAt)}, 'nps:' || p.id FROM p
    UNION ALL SELECT 'notify.client', jsonb_build_object('clientId', ${a.clientId}::bigint, 'message', 'tier-up', 'params', jsonb_build_object('tier', ${a.tierUp}::text)), ${at(a.now)}, NULL
      WHERE ${a.tierUp}::text IS NOT NULL
    ON CONFLICT (dedupe_key) DO NOTHING`;
  const rows = await db.execute<{ purchase_id: string; entry_id: string | null; balance: string }>(sql`
    WITH c AS (
      -- The client was active when the context was read; FOR SHARE holds that true until this statement commits
      -- (a deletion or merge in between waits, or has already won and then nothing here is written).
      SELECT id FROM clients WHERE id = ${a.clientId} AND status = 'active' FOR SHARE),
    p AS (
      INSERT INTO purchases (partner_id, client_id, receipt_number, amount_kopecks, tier, rate_bp, points_accrued, staff_telegram_id, created_at)
      SELECT ${a.partnerId}, c.id, ${a.receiptNumber}, ${a.amountKopecks}, ${a.tier}, ${a.rateBp}, ${a.points}, ${a.staffTelegramId}, ${at(a.now)} FROM c
      RETURNING id),
    ${movePoints(a.clientId, a.points, a.now, sql`EXISTS (SELECT 1 FROM c)`)},
    e AS (${appendEntry(accrualEntry(a), sql`moved.points`, sql`moved, p WHERE ${a.points} > 0`, { purchaseId: sql`p.id`, idempotencyKey: sql`'accrual:' || p.id` })} RETURNING id),
    bal AS (SELECT points FROM moved),
    j AS (${jobsSql})
    SELECT p.id AS purchase_id, (SELECT id FROM e) AS entry_id, (SELECT points FROM bal) AS balance FROM p`);
  const row = rows[0];
  if (row?.entry_id) countLedgerWrite("accrual");
  if (!row) {
    const [now] = await db.select({ status: clients.status }).from(clients).where(eq(clients.id, a.clientId));
    if (now?.status === "blocked") throw new DomainError("CLIENT_BLOCKED", "client is blocked");
    throw new DomainError("CLIENT_NOT_FOUND", "no such client");
  }
  return {
    purchaseId: Number(row.purchase_id),
    ledgerEntryId: row.entry_id === null ? null : Number(row.entry_id),
    points: a.points,
    tier: a.tier,
    rateBp: a.rateBp,
    balanceAfter: Number(row.balance),
    replayed: false,
    referralBonus: null,
    tierUp: a.tierUp,
  };
}

/**
 * An invitee's accrual: the referral row is locked first (as an undo locks it), then the same writes, plus the
 * referrer's bonus if no standing accrual has earned it yet, in one transaction.
 */
async function writeAccrualWithReferral(tx: Tx, a: AccrualPlan): Promise<AccrualResult> {
  const referral = await lockReferralOf(tx, a.clientId);
  const result = await writeAccrual(tx, a);
  const referralBonus = referral ? await rewardReferralIfDue(tx, { referral, purchaseId: result.purchaseId, partnerId: a.partnerId, now: a.now }) : null;
  return { ...result, referralBonus };
}

type PreviousAccrual = { purchaseId: number; clientId: number; amountKopecks: number; receipt: string; tier: Tier; rateBp: number; points: number; entryId: number | null; balanceAfter: number | null };

/**
 * Everything an accrual decides on, in one round trip: the partner and whether the caller is on its staff, the
 * client, an earlier accrual of this receipt, the points earned in the tier window, whether the client was invited
 * (their accrual may pay the referral bonus), and the network settings.
 */
async function accrualContext(tx: DbOrTx, input: { partnerId: number; staffTelegramId: number; clientId: number; receiptNumber: string }, now: Date) {
  const rows = await tx.execute<{
    partner_status: string;
    partner_name: string;
    partner_settings: PartnerSettings;
    is_staff: boolean;
    client_status: string | null;
    network: Record<string, unknown> | null;
    earned: string;
    previous: PreviousAccrual | null;
    is_invitee: boolean;
  }>(sql`
    WITH ns AS (SELECT settings FROM network_settings WHERE id = 1)
    SELECT p.status AS partner_status, p.name AS partner_name, p.settings AS partner_settings,
      EXISTS (SELECT 1 FROM partner_staff s WHERE s.partner_id = p.id AND s.telegram_id = ${input.staffTelegramId} AND s.removed_at IS NULL) AS is_staff,
      (SELECT status FROM clients WHERE id = ${input.clientId}) AS client_status,
      (SELECT settings FROM ns) AS network,
      ${earnedPointsSql(input.clientId, now, sql`COALESCE((SELECT (settings->>'tierWindowDays')::int FROM ns), ${defaultNetworkSettings.tierWindowDays})`)} AS earned,
      (SELECT json_build_object('purchaseId', pu.id, 'clientId', pu.client_id, 'amountKopecks', pu.amount_kopecks, 'receipt', pu.receipt_number,
          'tier', pu.tier, 'rateBp', pu.rate_bp, 'points', pu.points_accrued, 'entryId', e.id, 'balanceAfter', e.balance_after)
        -- By the ledger's unique key (indexed), not by purchase_id (not indexed: a replay would scan the ledger).
        FROM purchases pu LEFT JOIN ledger_entries e ON e.idempotency_key = 'accrual:' || pu.id
        WHERE pu.partner_id = p.id AND pu.receipt_number = ${input.receiptNumber} AND pu.cancelled_at IS NULL) AS previous,
      EXISTS (SELECT 1 FROM referrals r WHERE r.invitee_client_id = ${input.clientId}) AS is_invitee
    FROM partners p WHERE p.id = ${input.partnerId}`);
  return rows[0];
}

function replayAccrual(previous: PreviousAccrual, input: { clientId: number; amountKopecks: number }): AccrualResult {
  if (previous.clientId !== input.clientId || previous.amountKopecks !== input.amountKopecks) {
    throw new DomainError("RECEIPT_REUSED", "this receipt number was already used for another check", { receipt: previous.receipt });
  }
  return {
    purchaseId: previous.purchaseId,
    ledgerEntryId: previous.entryId,
    points: previous.points,
    tier: previous.tier,
    rateBp: previous.rateBp,
    balanceAfter: previous.balanceAfter ?? 0,
    replayed: true,
    referralBonus: null,
    tierUp: null,
  };
}

// ---------------------------------------------------------------------------------------------
// Redemption: the partner asks, the client confirms, only then do points leave.

export type RedemptionRequest = typeof redemptionRequests.$inferSelect;

const requestRedemptionInput = z.object({
  partnerId: id,
  staffTelegramId: id,
  clientId: id,
  checkKopecks: kopecks,
  points: z.number().int().positive("must be more than zero").max(Number.MAX_SAFE_INTEGER),
  idempotencyKey,
});

/**
 * Opens a redemption request: at most `maxRedeemPercent` of the check, no more than the balance now.
 * The client is asked (outbox) to confirm; the request carries a one-time code and expires.
 * Idempotent on `idempotencyKey`.
 */
export async function requestRedemption(db: DbOrTx, rawInput: z.input<typeof requestRedemptionInput>, clock: Clock = systemClock): Promise<RedemptionRequest & { replayed: boolean }> {
  const input = parseInput(requestRedemptionInput, rawInput);
  return runIdempotent(() =>
    db.transaction(async (tx) => {
      const [previous] = await tx.select().from(redemptionRequests).where(eq(redemptionRequests.idempotencyKey, input.idempotencyKey));
      if (previous) {
        if (previous.partnerId !== input.partnerId || previous.clientId !== input.clientId || previous.points !== input.points || previous.checkKopecks !== input.checkKopecks) {
          throw new DomainError("IDEMPOTENCY_KEY_REUSED", "this request key was used for another redemption");
        }
        return { ...previous, replayed: true };
      }
      const partner = await requireActiveStaff(tx, input.partnerId, input.staffTelegramId);
      const settings = effectiveSettings(await getNetworkSettings(tx), partner.settings);
      if (input.checkKopecks > settings.maxCheckKopecks) {
        throw new DomainError("VALIDATION", "check amount is too large", { field: "checkKopecks", max: settings.maxCheckKopecks });
      }
      const client = await activeClient(tx, input.clientId);
      const cap = redeemCap(input.checkKopecks, settings.maxRedeemPercent);
      if (input.points > cap) throw new DomainError("REDEEM_CAP_EXCEEDED", "more than the share of the check payable with points", { cap, percent: settings.maxRedeemPercent });
      const available = await balanceOf(tx, client.id);
      if (input.points > available) throw new DomainError("INSUFFICIENT_POINTS", "not enough points", { available, requested: input.points });

      const now = clock.now();
      // One open request per client at a partner: a cashier's new request replaces an unanswered one, so the
      // client can never confirm two for one check. Two tills asking at once are taken one after the other.
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`redemption:${partner.id}:${client.id}`}, 0))`);
      const [request] = await tx
        .insert(redemptionRequests)
        .values({
          partnerId: partner.id,
          clientId: client.id,
          checkKopecks: input.checkKopecks,
          points: input.points,
          code: randomDigits(6),
          idempotencyKey: input.idempotencyKey,
          staffTelegramId: input.staffTelegramId,
          expiresAt: addMinutes(now, settings.redemptionTtlMinutes),
          createdAt: now,
        })
        .returning();
      const superseded = await tx
        .update(redemptionRequests)
        .set({ status: "cancelled", decidedAt: now, decisionKey: `${supersededBy}${request!.id}` })
        .where(and(eq(redemptionRequests.partnerId, partner.id), eq(redemptionRequests.clientId, client.id), eq(redemptionRequests.status, "pending"), ne(redemptionRequests.id, request!.id)))
        .returning({ id: redemptionRequests.id });
      // The cashier who asked for a replaced request is told at once (it may be another till's).
      for (const old of superseded) {
        await enqueue(tx, "redemption.tell-cashier", { redemptionRequestId: old.id, message: "redemption-superseded", params: { newRequestId: request!.id } }, { runAt: now });
      }
      await enqueue(tx, "redemption.ask-client", { redemptionRequestId: request!.id }, { runAt: now });
      return { ...request!, replayed: false };
    }),
  );
}

/** Wrong one-time codes one request tolerates: the last of them cancels it (and the client is told). */
export const maxWrongCodesPerRequest = 5;
/** Wrong one-time codes one staff member may type in an hour, over all requests; beyond it code entry is refused until the hour has passed. */
export const maxWrongCodesPerStaffHour = 20;
/** `decision_key` of a request a newer one replaced: this prefix and the newer request's id. */
const supersededBy = "superseded-by:";

/**
 * Who decides: the client themself (a button in the client bot), or the cashier typing the code the client read
 * out for the one request whose "enter code" button they pressed. A code is checked against that request only.
 */
export type RedemptionDecider = { kind: "client"; clientId: number; requestId: number } | { kind: "partner"; partnerId: number; staffTelegramId: number; requestId: number; code: string };

export type RedemptionDecision = { request: RedemptionRequest; ledgerEntry: LedgerEntry | null; balanceAfter: number | null; replayed: boolean };

/**
 * Confirms a pending request: the points leave the balance (never below zero: if they were spent since,
 * INSUFFICIENT_POINTS and nothing changes). `decisionKey` identifies this call, so its replay returns the
 * same result; any other attempt on a decided request, or an expired one, is refused.
 *
 * A wrong code is refused (REDEMPTION_CODE_WRONG) but counted, and the count is kept although the call fails:
 * the `maxWrongCodesPerRequest`-th cancels the request (REDEMPTION_CODE_LOCKED), and a staff member past
 * `maxWrongCodesPerStaffHour` in the last hour is refused any code (CODE_ATTEMPTS_EXCEEDED). No points move on either.
 */
export async function confirmRedemption(db: DbOrTx, input: { by: RedemptionDecider; decisionKey: string }, clock: Clock = systemClock): Promise<RedemptionDecision> {
  parseInput(idempotencyKey, input.decisionKey);
  const by = input.by;
  const outcome = await runIdempotent(() =>
    db.transaction(async (tx): Promise<RedemptionDecision | { refused: DomainError }> => {
      const now = clock.now();
      const request = await lockRequestFor(tx, by, now);
      if (request.status !== "pending") return replayDecision(tx, request, "confirmed", input.decisionKey);
      if (request.expiresAt <= now) throw new DomainError("REDEMPTION_EXPIRED", "the redemption request has expired");
      // Returned, not thrown, so that the count of wrong codes commits.
      if (by.kind === "partner" && !sameCode(by.code, request.code)) return { refused: await recordWrongCode(tx, request, by, now) };
      await activeClient(tx, request.clientId);

      const entry = await postEntry(tx, {
        clientId: request.clientId,
        partnerId: request.partnerId,
        kind: "redemption",
        points: -request.points,
        idempotencyKey: `redemption:${request.id}`,
        redemptionRequestId: request.id,
        actorType: by.kind === "client" ? "client" : "staff",
        actorTelegramId: by.kind === "partner" ? by.staffTelegramId : null,
        createdAt: now,
      });
      const [decided] = await tx
        .update(redemptionRequests)
        .set({ status: "confirmed", decisionKey: input.decisionKey, decidedAt: now, ledgerEntryId: entry.id })
        .where(eq(redemptionRequests.id, request.id))
        .returning();
      // The cashier who typed the code sees the result in their chat; otherwise the one who asked is told.
      if (by.kind === "client" || by.staffTelegramId !== request.staffTelegramId) {
        await enqueue(tx, "redemption.tell-cashier", { redemptionRequestId: request.id, message: "redemption-confirmed" }, { runAt: now });
      }
      // A client who confirmed in the bot sees the result there (their message is edited); one who named the code at
      // the till is told by a message.
      if (by.kind === "partner") {
        await enqueue(tx, "notify.client", { clientId: request.clientId, message: "points-redeemed", params: { points: request.points, balance: entry.balanceAfter } }, { runAt: now });
      }
      return { request: decided!, ledgerEntry: entry, balanceAfter: entry.balanceAfter, replayed: false };
    }),
  );
  if ("refused" in outcome) throw outcome.refused;
  return outcome;
}

/** The client says no: nothing leaves the balance, the cashier who asked is told. Same replay rules as confirm. */
export async function declineRedemption(db: DbOrTx, input: { clientId: number; requestId: number; decisionKey: string }, clock: Clock = systemClock): Promise<RedemptionDecision> {
  return db.transaction(async (tx) => {
    const now = clock.now();
    const request = await lockRequestFor(tx, { kind: "client", clientId: input.clientId, requestId: input.requestId }, now);
    if (request.status !== "pending") return replayDecision(tx, request, "declined", input.decisionKey);
    const [decided] = await tx
      .update(redemptionRequests)
      .set({ status: "declined", decisionKey: input.decisionKey, decidedAt: now })
      .where(eq(redemptionRequests.id, request.id))
      .returning();
    await enqueue(tx, "redemption.tell-cashier", { redemptionRequestId: request.id, message: "redemption-declined" }, { runAt: now });
    return { request: decided!, ledgerEntry: null, balanceAfter: null, replayed: false };
  });
}

/** The cashier withdraws a request the client has not answered yet. */
export async function cancelRedemption(db: DbOrTx, input: { partnerId: number; staffTelegramId: number; requestId: number }, clock: Clock = systemClock) {
  return db.transaction(async (tx) => {
    await requireActiveStaff(tx, input.partnerId, input.staffTelegramId);
    const [request] = await tx.select().from(redemptionRequests).where(eq(redemptionRequests.id, input.requestId)).for("update");
    if (!request || request.partnerId !== input.partnerId) throw new DomainError("REDEMPTION_NOT_FOUND", "no such redemption request");
    if (request.status === "cancelled") return request;
    if (request.status !== "pending") throw new DomainError("REDEMPTION_ALREADY_DECIDED", "the client has already answered", { status: request.status });
    const [cancelled] = await tx.update(redemptionRequests).set({ status: "cancelled", decidedAt: clock.now() }).where(eq(redemptionRequests.id, request.id)).returning();
    return cancelled!;
  });
}

/** Marks pending requests past their expiry as expired and tells the cashier who asked for each. Returns how many. */
export async function expireRedemptions(db: DbOrTx, clock: Clock = systemClock): Promise<number> {
  return db.transaction(async (tx) => {
    const now = clock.now();
    const expired = await tx
      .update(redemptionRequests)
      .set({ status: "expired", decidedAt: now })
      .where(and(eq(redemptionRequests.status, "pending"), lte(redemptionRequests.expiresAt, now)))
      .returning({ id: redemptionRequests.id });
    for (const r of expired) {
      await enqueue(tx, "redemption.tell-cashier", { redemptionRequestId: r.id, message: "redemption-expired" }, { runAt: now });
    }
    return expired.length;
  });
}

/** The request, locked, if this decider may act on it. A cashier must be active staff and under the hourly cap of wrong codes. */
async function lockRequestFor(tx: Tx, by: RedemptionDecider, now: Date): Promise<RedemptionRequest> {
  parseInput(id, by.requestId);
  if (by.kind === "partner") {
    await requireActiveStaff(tx, by.partnerId, by.staffTelegramId);
    if (!/^\d{6}$/.test(by.code.trim())) throw new DomainError("VALIDATION", "a code is six digits", { field: "code" });
    await refuseIfTooManyWrongCodes(tx, by.staffTelegramId, now);
  }
  const [request] = await tx.select().from(redemptionRequests).where(eq(redemptionRequests.id, by.requestId)).for("update");
  const mayAct = by.kind === "client" ? request?.clientId === by.clientId : request?.partnerId === by.partnerId;
  if (!request || !mayAct) throw new DomainError("REDEMPTION_NOT_FOUND", "no such redemption request");
  return request;
}

const sameCode = (typed: string, code: string) => {
  const a = Buffer.from(typed.trim());
  const b = Buffer.from(code);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** A staff member's code attempts are taken one at a time, so concurrent guesses cannot slip past the count. */
async function refuseIfTooManyWrongCodes(tx: Tx, staffTelegramId: number, now: Date): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`code-attempts:${staffTelegramId}`}, 0))`);
  const recent = await tx
    .select({ createdAt: codeAttemptFailures.createdAt })
    .from(codeAttemptFailures)
    .where(and(eq(codeAttemptFailures.staffTelegramId, staffTelegramId), gt(codeAttemptFailures.createdAt, addHours(now, -1))))
    .orderBy(desc(codeAttemptFailures.createdAt))
    .limit(maxWrongCodesPerStaffHour);
  if (recent.length < maxWrongCodesPerStaffHour) return;
  // Allowed again once the oldest of these leaves the hour.
  const until = addHours(recent[recent.length - 1]!.createdAt, 1);
  throw new DomainError("CODE_ATTEMPTS_EXCEEDED", "too many wrong codes in the last hour", { minutes: Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000)) });
}

async function recordWrongCode(tx: Tx, request: RedemptionRequest, by: { partnerId: number; staffTelegramId: number }, now: Date): Promise<DomainError> {
  await tx.insert(codeAttemptFailures).values({ partnerId: by.partnerId, staffTelegramId: by.staffTelegramId, redemptionRequestId: request.id, createdAt: now });
  const wrong = request.wrongCodeAttempts + 1;
  if (wrong < maxWrongCodesPerRequest) {
    await tx.update(redemptionRequests).set({ wrongCodeAttempts: wrong }).where(eq(redemptionRequests.id, request.id));
    return new DomainError("REDEMPTION_CODE_WRONG", "wrong code", { attemptsLeft: maxWrongCodesPerRequest - wrong });
  }
  await tx.update(redemptionRequests).set({ wrongCodeAttempts: wrong, status: "cancelled", decidedAt: now }).where(eq(redemptionRequests.id, request.id));
  await enqueue(tx, "notify.client", { clientId: request.clientId, message: "redemption-code-locked", params: { points: request.points } }, { runAt: now });
  return new DomainError("REDEMPTION_CODE_LOCKED", "too many wrong codes: the request is cancelled");
}

async function replayDecision(tx: Tx, request: RedemptionRequest, wanted: "confirmed" | "declined", decisionKey: string): Promise<RedemptionDecision> {
  if (request.status === wanted && request.decisionKey === decisionKey) {
    const [entry] = request.ledgerEntryId ? await tx.select().from(ledgerEntries).where(eq(ledgerEntries.id, request.ledgerEntryId)) : [];
    return { request, ledgerEntry: entry ?? null, balanceAfter: entry?.balanceAfter ?? null, replayed: true };
  }
  if (request.status === "expired") throw new DomainError("REDEMPTION_EXPIRED", "the redemption request has expired");
  if (request.status === "cancelled") {
    // Says why: too many wrong codes, a newer request replaced it, or the cashier withdrew it.
    if (request.wrongCodeAttempts >= maxWrongCodesPerRequest) throw new DomainError("REDEMPTION_CODE_LOCKED", "too many wrong codes: the request is cancelled");
    if (request.decisionKey?.startsWith(supersededBy)) throw new DomainError("REDEMPTION_SUPERSEDED", "a newer request replaced this one", { newRequestId: request.decisionKey.slice(supersededBy.length) });
    throw new DomainError("REDEMPTION_CANCELLED", "the cashier withdrew this request");
  }
  throw new DomainError("REDEMPTION_ALREADY_DECIDED", "this redemption was already decided", { status: request.status });
}

// ---------------------------------------------------------------------------------------------
// Undo and adjustments

export type UndoActor = { kind: "staff"; partnerId: number; staffTelegramId: number } | { kind: "admin"; adminTelegramId: number };

export type UndoResult = {
  reversal: LedgerEntry;
  original: LedgerEntry;
  shortfall: number;
  replayed: boolean;
  /** The reversal of the referrer's bonus when this undo left the invitee no standing accrual that earned it (null on a replay). */
  referralBonusReversal: LedgerEntry | null;
};

/**
 * Undoes an accrual or a redemption by a reversing row that points at it (staff of the same partner within
 * the undo window; an admin any time). An accrual whose points were partly spent takes back what is there:
 * the balance stops at zero and the rest is recorded as the shortfall. Undoing twice returns the first undo.
 *
 * The referral bonus is earned while the invitee has a standing accrual that earned points: an undo that leaves
 * them none also reverses the referrer's bonus in the same transaction, the same way (at most what the referrer
 * still has, the rest as the shortfall; the referrer is told), and the invitee's next such accrual earns it again.
 */
export async function undoOperation(db: DbOrTx, input: { entryId: number; actor: UndoActor; reason?: string }, clock: Clock = systemClock): Promise<UndoResult> {
  const reason = input.reason === undefined ? null : parseInput(textField(multiline(0, 500)), input.reason);
  return runIdempotent(() =>
    db.transaction(async (tx) => {
      const [original] = await tx.select().from(ledgerEntries).where(eq(ledgerEntries.id, input.entryId));
      if (!original) throw new DomainError("NOT_FOUND", "no such operation");
      const now = clock.now();
      if (input.actor.kind === "staff") {
        await requireActiveStaff(tx, input.actor.partnerId, input.actor.staffTelegramId);
        if (original.partnerId !== input.actor.partnerId) throw new DomainError("FORBIDDEN", "this operation belongs to another partner");
        const { undoWindowHours } = await getNetworkSettings(tx);
        if (addHours(original.createdAt, undoWindowHours) < now) throw new DomainError("UNDO_WINDOW_PASSED", "too late to undo", { hours: undoWindowHours });
      }
      const reversible = input.actor.kind === "admin" ? ["accrual", "redemption", "adjustment"] : ["accrual", "redemption"];
      if (!reversible.includes(original.kind)) throw new DomainError("NOT_REVERSIBLE", "this operation cannot be undone", { kind: original.kind });

      // An accrual of an invitee: their referral row is locked first, as their accruals lock it, so an accrual
      // and an undo of the same invitee decide on the bonus one after the other.
      const purchase = original.kind === "accrual" && original.purchaseId !== null
        ? (await tx.select({ clientId: purchases.clientId }).from(purchases).where(eq(purchases.id, original.purchaseId)))[0]
        : undefined;
      const referral = purchase ? await lockReferralOf(tx, purchase.clientId) : null;

      const [already] = await tx.select().from(ledgerEntries).where(eq(ledgerEntries.reversesEntryId, original.id));
      if (already) return { reversal: already, original, shortfall: already.shortfall, replayed: true, referralBonusReversal: null };

      const actor: ReversalActor = { type: input.actor.kind, telegramId: input.actor.kind === "staff" ? input.actor.staffTelegramId : input.actor.adminTelegramId, reason, now };
      // The points are where the person is now: a merged row's points moved to the row it was merged into.
      const holder = await currentHolder(tx, original.clientId);
      if (holder.deleted) throw new DomainError("CLIENT_NOT_FOUND", "the client has deleted their data");
      const { reversal, delta, shortfall } = await reverseEntry(tx, original, holder.id, actor);
      if (original.kind === "accrual" && original.purchaseId !== null) {
        await tx.update(purchases).set({ cancelledAt: now }).where(eq(purchases.id, original.purchaseId));
      }
      await enqueue(tx, "notify.client", { clientId: holder.id, message: "operation-undone", params: { points: delta, balance: reversal.balanceAfter } }, { runAt: now });
      const referralBonusReversal = referral ? await reverseUnearnedReferralBonus(tx, referral, original, actor) : null;
      return { reversal, original, shortfall, replayed: false, referralBonusReversal };
    }),
  );
}

type ReversalActor = { type: UndoActor["kind"]; telegramId: number; reason: string | null; now: Date };

/**
 * The reversing row for `original`, on `holderId` (where its points are now), audited. Giving points back always
 * fits; taking them back takes at most what is there, and the rest is the shortfall.
 */
async function reverseEntry(tx: Tx, original: LedgerEntry, holderId: number, actor: ReversalActor, details: Record<string, unknown> = {}) {
  const balance = await balanceOf(tx, holderId, true);
  const delta = original.points < 0 ? -original.points : -Math.min(original.points, balance);
  const shortfall = original.points > 0 ? original.points + delta : 0;
  const reversal = await postEntry(tx, {
    clientId: holderId,
    partnerId: original.partnerId,
    kind: "reversal",
    points: delta,
    shortfall,
    reversesEntryId: original.id,
    purchaseId: original.purchaseId,
    redemptionRequestId: original.redemptionRequestId,
    idempotencyKey: `reversal:${original.id}`,
    actorType: actor.type,
    actorTelegramId: actor.telegramId,
    reason: actor.reason,
    createdAt: actor.now,
  });
  await audit(tx, {
    actorType: actor.type,
    actorTelegramId: actor.telegramId,
    action: "ledger.undo",
    targetType: "ledger_entry",
    targetId: original.id,
    details: { kind: original.kind, points: original.points, reversed: delta, shortfall, ...details, ...(actor.reason ? { reason: actor.reason } : {}) },
  });
  return { reversal, delta, shortfall };
}

/**
 * After an invitee's accrual was undone (their referral row locked): if no standing accrual of theirs earns the
 * referrer's bonus any more, the bonus is reversed like any undo and the referrer told. A referrer who has deleted
 * their data has nothing left to take: the reversal records it all as the shortfall, and nobody is told.
 */
async function reverseUnearnedReferralBonus(tx: Tx, referral: Referral, undone: LedgerEntry, actor: ReversalActor): Promise<LedgerEntry | null> {
  const withdrawn = await withdrawReferralBonusIfUnearned(tx, referral);
  if (!withdrawn) return null;
  const [bonus] = await tx.select().from(ledgerEntries).where(eq(ledgerEntries.id, withdrawn.bonusEntryId));
  const holder = await currentHolder(tx, bonus!.clientId);
  const { reversal, delta } = await reverseEntry(tx, bonus!, holder.id, actor, { becauseOf: undone.id });
  if (!holder.deleted) {
    await enqueue(tx, "notify.client", { clientId: holder.id, message: "referral-bonus-undone", params: { points: delta, balance: reversal.balanceAfter } }, { runAt: actor.now });
  }
  return reversal;
}

/** The client row that holds a (possibly merged) client's points now, locked FOR SHARE; a deleted client's points are gone with them. */
async function currentHolder(tx: Tx, clientId: number): Promise<{ id: number; deleted: boolean }> {
  let id = clientId;
  for (let hops = 0; hops < 5; hops++) {
    const [c] = await tx.select({ status: clients.status, into: clients.mergedIntoClientId }).from(clients).where(eq(clients.id, id)).for("share");
    if (!c) break;
    if (c.status !== "merged" || c.into === null) return { id, deleted: c.status === "deleted" };
    id = c.into;
  }
  throw new DomainError("CLIENT_NOT_FOUND", "no such client");
}

const adjustInput = z.object({
  adminTelegramId: id,
  clientId: id,
  points: z.number().int().refine((p) => p !== 0, "must not be zero").refine((p) => Math.abs(p) <= 1_000_000, "is too large"),
  reason: textField(multiline(3, 500)),
  idempotencyKey,
});

/** An admin's manual correction, with a reason, audited; a debit cannot overdraw. Idempotent on the key. */
export async function adjustBalance(db: DbOrTx, rawInput: z.input<typeof adjustInput>, clock: Clock = systemClock): Promise<LedgerEntry & { replayed: boolean }> {
  const input = parseInput(adjustInput, rawInput);
  const key = `adjust:${input.idempotencyKey}`;
  return runIdempotent(() =>
    db.transaction(async (tx) => {
      const previous = await findEntryByKey(tx, key);
      if (previous) {
        if (previous.clientId !== input.clientId || previous.points !== input.points) throw new DomainError("IDEMPOTENCY_KEY_REUSED", "this key was used for another adjustment");
        return { ...previous, replayed: true };
      }
      // FOR SHARE: a deletion or merge cannot slip in between this check and the posting.
      const [client] = await tx.select({ status: clients.status }).from(clients).where(eq(clients.id, input.clientId)).for("share");
      if (!client || client.status === "deleted" || client.status === "merged") throw new DomainError("CLIENT_NOT_FOUND", "no such client");
      const now = clock.now();
      const entry = await postEntry(tx, {
        clientId: input.clientId,
        kind: "adjustment",
        points: input.points,
        idempotencyKey: key,
        actorType: "admin",
        actorTelegramId: input.adminTelegramId,
        reason: input.reason,
        createdAt: now,
      });
      await audit(tx, { actorType: "admin", actorTelegramId: input.adminTelegramId, action: "ledger.adjust", targetType: "client", targetId: input.clientId, details: { points: input.points, reason: input.reason, entryId: entry.id } });
      await enqueue(tx, "notify.client", { clientId: input.clientId, message: "balance-adjusted", params: { points: input.points, balance: entry.balanceAfter } }, { runAt: now });
      return { ...entry, replayed: false };
    }),
  );
}

/** A partner's recent ledger operations (for the undo list), newest first. */
export async function recentPartnerOperations(db: DbOrTx, partnerId: number, limit = 10) {
  return db
    .select()
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.partnerId, partnerId), sql`${ledgerEntries.kind} IN ('accrual', 'redemption')`))
    .orderBy(desc(ledgerEntries.id))
    .limit(Math.min(Math.max(limit, 1), 50));
}
