import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx, Tx } from "../../db/client.js";
import { clients, referrals } from "../../db/schema/index.js";
import { DomainError } from "../errors.js";
import { enqueue } from "../jobs/outbox.js";
import { postEntry } from "../ledger/post.js";
import { getNetworkSettings } from "../settings/service.js";

/**
 * Binds the invitee to the owner of `referralCode`, on first contact only: an invitee who already has a
 * referrer keeps them (the first binding wins, a later link never rebinds). Returns the referrer's id, or
 * null when the code names nobody active. Refuses a self-referral or one that would close a cycle.
 */
export async function bindReferral(tx: Tx, input: { inviteeClientId: number; referralCode: string; now: Date }): Promise<number | null> {
  const [bound] = await tx.select({ referrer: referrals.referrerClientId }).from(referrals).where(eq(referrals.inviteeClientId, input.inviteeClientId));
  if (bound) return bound.referrer;
  const [referrer] = await tx
    .select({ id: clients.id })
    .from(clients)
    .where(and(eq(clients.referralCode, input.referralCode.toUpperCase()), eq(clients.status, "active")));
  if (!referrer) return null;
  if (referrer.id === input.inviteeClientId || (await isInvitedBy(tx, referrer.id, input.inviteeClientId))) {
    throw new DomainError("SELF_REFERRAL", "a client cannot invite themselves");
  }
  const inserted = await tx
    .insert(referrals)
    .values({ referrerClientId: referrer.id, inviteeClientId: input.inviteeClientId, createdAt: input.now })
    .onConflictDoNothing({ target: referrals.inviteeClientId })
    .returning({ referrer: referrals.referrerClientId });
  if (inserted[0]) return inserted[0].referrer;
  // Someone bound this invitee a moment ago: theirs stands.
  const [winner] = await tx.select({ referrer: referrals.referrerClientId }).from(referrals).where(eq(referrals.inviteeClientId, input.inviteeClientId));
  return winner?.referrer ?? null;
}

/** True if `clientId` was invited, directly or down a chain, by `ancestorId`. */
async function isInvitedBy(tx: Tx, clientId: number, ancestorId: number): Promise<boolean> {
  const rows = await tx.execute<{ found: boolean }>(sql`
    WITH RECURSIVE chain(id, depth) AS (
      SELECT referrer_client_id, 1 FROM referrals WHERE invitee_client_id = ${clientId}
      UNION ALL
      SELECT r.referrer_client_id, c.depth + 1 FROM referrals r JOIN chain c ON r.invitee_client_id = c.id WHERE c.depth < 100
    )
    SELECT EXISTS (SELECT 1 FROM chain WHERE id = ${ancestorId}) AS found`);
  return rows[0]?.found === true;
}

/** The invitee's referral row, locked: accruals and undos of one invitee take their referral decisions one at a time. */
export async function lockReferralOf(tx: Tx, inviteeClientId: number): Promise<Referral | null> {
  const [referral] = await tx.select().from(referrals).where(eq(referrals.inviteeClientId, inviteeClientId)).for("update");
  return referral ?? null;
}

export type Referral = typeof referrals.$inferSelect;

/**
 * Called inside the accrual's transaction, after the purchase is written, with the invitee's referral row locked
 * (`lockReferralOf`): on the invitee's first accrual that earns points the referrer gets the referral bonus, linked
 * to that purchase (key `referral:<invitee>:<purchase>`). At most one bonus stands at a time: the referral is
 * stamped rewarded, and only an undo that leaves the invitee no standing accrual un-stamps it
 * (`withdrawReferralBonusIfUnearned`), so a later real first accrual can earn it again.
 */
export async function rewardReferralIfDue(
  tx: Tx,
  input: { referral: Referral; purchaseId: number; partnerId: number; now: Date },
): Promise<{ referrerClientId: number; points: number } | null> {
  const { referral } = input;
  if (referral.rewardedAt !== null) return null;
  await tx.update(referrals).set({ rewardedAt: input.now }).where(eq(referrals.id, referral.id));
  const [referrer] = await tx.select({ status: clients.status }).from(clients).where(eq(clients.id, referral.referrerClientId));
  const { referralBonus } = await getNetworkSettings(tx);
  // A referrer who has since left or been blocked gets nothing; the referral still counts as rewarded.
  if (referralBonus <= 0 || referrer?.status !== "active") return null;
  await postEntry(tx, {
    clientId: referral.referrerClientId,
    partnerId: input.partnerId,
    kind: "referral_bonus",
    points: referralBonus,
    purchaseId: input.purchaseId,
    idempotencyKey: `referral:${referral.inviteeClientId}:${input.purchaseId}`,
    actorType: "system",
    createdAt: input.now,
  });
  await enqueue(tx, "notify.client", { clientId: referral.referrerClientId, message: "referral-bonus", params: { points: referralBonus } }, { runAt: input.now });
  return { referrerClientId: referral.referrerClientId, points: referralBonus };
}

/**
 * Called inside an undo's transaction, after an accrual of the invitee was undone, with the referral row locked
 * (`lockReferralOf`, taken before anything else the undo locks). The bonus is earned while the invitee has an
 * accrual that stands and earned points: if none is left, the referral is un-stamped and the standing bonus, if any,
 * is returned for the caller to reverse like any undo. Returns null when nothing is to be reversed.
 */
export async function withdrawReferralBonusIfUnearned(tx: Tx, referral: Referral): Promise<{ bonusEntryId: number } | null> {
  if (referral.rewardedAt === null) return null;
  const invitee = referral.inviteeClientId;
  const [earning] = await tx.execute<{ id: string }>(sql`
    SELECT id FROM purchases WHERE client_id = ${invitee} AND cancelled_at IS NULL AND points_accrued > 0 LIMIT 1`);
  if (earning) return null;
  await tx.update(referrals).set({ rewardedAt: null }).where(eq(referrals.id, referral.id));
  // The bonus by its key: per triggering purchase, or `referral:<invitee>` from before bonuses were linked to one.
  const [bonus] = await tx.execute<{ id: string }>(sql`
    SELECT b.id FROM (
      SELECT e.id FROM ledger_entries e WHERE e.idempotency_key = ${`referral:${invitee}`}
      UNION ALL
      SELECT e.id FROM purchases p JOIN ledger_entries e ON e.idempotency_key = 'referral:' || ${invitee}::bigint || ':' || p.id WHERE p.client_id = ${invitee}
    ) b
    WHERE NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses_entry_id = b.id)
    ORDER BY b.id DESC LIMIT 1`);
  return bonus ? { bonusEntryId: Number(bonus.id) } : null;
}

/** How many friends joined through a client's link, and how many of them brought the bonus (their first purchase counted). */
export async function referralCounts(db: DbOrTx, clientId: number): Promise<{ joined: number; rewarded: number }> {
  const [row] = await db
    .select({ joined: sql<string>`count(*)`, rewarded: sql<string>`count(*) FILTER (WHERE ${referrals.rewardedAt} IS NOT NULL)` })
    .from(referrals)
    .where(eq(referrals.referrerClientId, clientId));
  return { joined: Number(row?.joined ?? 0), rewarded: Number(row?.rewarded ?? 0) };
}
