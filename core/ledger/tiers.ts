import { sql, type SQL } from "drizzle-orm";
import { at, type DbOrTx } from "../../db/client.js";
import type { NetworkSettings, Tier } from "../settings/service.js";

export const tierOrder: readonly Tier[] = ["bronze", "silver", "gold", "platinum"];

/**
 * A tier is earned by cashback points accrued in the last `tierWindowDays` (undone checks excluded),
 * not by the balance, so spending points never drops a client's tier.
 */
export function tierFor(earned: number, thresholds: NetworkSettings["tierThresholds"]): Tier {
  if (earned >= thresholds.platinum) return "platinum";
  if (earned >= thresholds.gold) return "gold";
  if (earned >= thresholds.silver) return "silver";
  return "bronze";
}

export type TierStatus = { tier: Tier; earned: number; nextTier: Tier | null; pointsToNext: number | null };

export function tierStatus(earned: number, thresholds: NetworkSettings["tierThresholds"]): TierStatus {
  const tier = tierFor(earned, thresholds);
  const next = tierOrder[tierOrder.indexOf(tier) + 1] ?? null;
  const pointsToNext = next ? thresholds[next as Exclude<Tier, "bronze">] - earned : null;
  return { tier, earned, nextTier: next, pointsToNext };
}

/**
 * Points a client earned in the tier window: cashback of their checks since `now` − `windowDays`, undone checks
 * excluded. As an SQL scalar so the accrual can read it in the same round trip as the rest of its context.
 */
export const earnedPointsSql = (clientId: number, now: Date, windowDays: SQL) => sql`(
  SELECT COALESCE(sum(points_accrued), 0) FROM purchases
  WHERE client_id = ${clientId} AND cancelled_at IS NULL AND created_at > ${at(now)} - make_interval(days => ${windowDays}))`;

export async function earnedPoints(db: DbOrTx, clientId: number, now: Date, windowDays: number): Promise<number> {
  const [row] = await db.execute<{ earned: string }>(sql`SELECT ${earnedPointsSql(clientId, now, sql`${windowDays}::int`)} AS earned`);
  return Number(row?.earned ?? 0);
}

/** floor(check in rubles × rate), in integers: kopecks × basis points / (100 × 10,000). */
export const cashbackPoints = (amountKopecks: number, rateBp: number) => Math.floor((amountKopecks * rateBp) / 1_000_000);

/** The most points a check may be paid with: floor(check in rubles × percent / 100). */
export const redeemCap = (checkKopecks: number, maxRedeemPercent: number) => Math.floor((checkKopecks * maxRedeemPercent) / 10_000);
