import { and, eq, isNull, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.js";
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

/**
 * Called inside the accrual's transaction: on the invitee's first accrual the referrer gets the referral bonus,
 * exactly once (the referral row is locked and stamped, and the ledger key is per invitee).
 */
export async function rewardReferralIfDue(
  tx: Tx,
  input: { inviteeClientId: number; partnerId: number; now: Date },
): Promise<{ referrerClientId: number; points: number } | null> {
  const [referral] = await tx
    .select()
    .from(referrals)
    .where(and(eq(referrals.inviteeClientId, input.inviteeClientId), isNull(referrals.rewardedAt)))
    .for("update");
  if (!referral) return null;
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
    idempotencyKey: `referral:${input.inviteeClientId}`,
    actorType: "system",
    createdAt: input.now,
  });
  await enqueue(tx, "notify.client", { clientId: referral.referrerClientId, message: "referral-bonus", params: { points: referralBonus } }, { runAt: input.now });
  return { referrerClientId: referral.referrerClientId, points: referralBonus };
}
