import { sql } from "drizzle-orm";
import { at, type DbOrTx } from "../../db/client.js";
import { partnerNps, type NpsSummary } from "../feedback/service.js";
import { partnerLiabilityKinds } from "./ledger-totals.js";

export type PartnerStats = {
  turnoverKopecks: number;
  checks: number;
  averageCheckKopecks: number;
  newClients: number;
  returningClients: number;
  pointsIssued: number;
  pointsRedeemed: number;
  /** All points this partner has issued minus all redeemed at it, ever: its share of the network's liability. */
  pointsOutstanding: number;
  nps: NpsSummary;
};

/**
 * A partner's numbers for [since, until). Undone checks are left out of turnover; points issued and redeemed
 * are net of undos. A client is "new" if their first check at this partner falls in the period.
 */
export async function partnerStats(db: DbOrTx, partnerId: number, range: { since: Date; until: Date }): Promise<PartnerStats> {
  const [checks] = await db.execute<{ turnover: string; checks: string; new_clients: string; clients: string }>(sql`
    WITH first_visit AS (
      SELECT client_id, min(created_at) AS first_at FROM purchases
      WHERE partner_id = ${partnerId} AND cancelled_at IS NULL GROUP BY client_id
    )
    SELECT COALESCE(sum(p.amount_kopecks), 0) AS turnover,
           count(*) AS checks,
           count(DISTINCT p.client_id) AS clients,
           count(DISTINCT p.client_id) FILTER (WHERE f.first_at >= ${at(range.since)}) AS new_clients
    FROM purchases p JOIN first_visit f ON f.client_id = p.client_id
    WHERE p.partner_id = ${partnerId} AND p.cancelled_at IS NULL
      AND p.created_at >= ${at(range.since)} AND p.created_at < ${at(range.until)}`);
  const [points] = await db.execute<{ issued: string; redeemed: string; outstanding: string }>(sql`
    SELECT
      COALESCE(sum(e.points) FILTER (WHERE e.created_at >= ${at(range.since)} AND (e.kind IN ('accrual', 'welcome_bonus', 'referral_bonus') OR (e.kind = 'reversal' AND e.points < 0))), 0) AS issued,
      COALESCE(-sum(e.points) FILTER (WHERE e.created_at >= ${at(range.since)} AND (e.kind = 'redemption' OR (e.kind = 'reversal' AND e.points > 0))), 0) AS redeemed,
      COALESCE(sum(e.points) FILTER (WHERE e.kind IN ${partnerLiabilityKinds}), 0) AS outstanding
    FROM ledger_entries e
    WHERE e.partner_id = ${partnerId} AND e.created_at < ${at(range.until)}`);
  const checkCount = Number(checks?.checks ?? 0);
  const turnover = Number(checks?.turnover ?? 0);
  const newClients = Number(checks?.new_clients ?? 0);
  return {
    turnoverKopecks: turnover,
    checks: checkCount,
    averageCheckKopecks: checkCount === 0 ? 0 : Math.round(turnover / checkCount),
    newClients,
    returningClients: Number(checks?.clients ?? 0) - newClients,
    pointsIssued: Number(points?.issued ?? 0),
    pointsRedeemed: Number(points?.redeemed ?? 0),
    pointsOutstanding: Number(points?.outstanding ?? 0),
    nps: await partnerNps(db, partnerId, range),
  };
}
