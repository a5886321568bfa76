import { sql } from "drizzle-orm";
import { at, type DbOrTx } from "../../db/client.js";

export type NetworkStats = {
  clients: number;
  newClients: number;
  partners: number;
  pendingApplications: number;
  pendingServices: number;
  turnoverKopecks: number;
  checks: number;
  pointsIssued: number;
  pointsRedeemed: number;
  /** Points held by clients now: the network's liability. */
  pointsOutstanding: number;
  jobsPending: number;
  jobsDead: number;
};

/** The whole network's numbers for [since, until), plus what is waiting for an admin. */
export async function networkStats(db: DbOrTx, range: { since: Date; until: Date }): Promise<NetworkStats> {
  const [row] = await db.execute<Record<keyof NetworkStats, string>>(sql`
    SELECT
      (SELECT count(*) FROM clients WHERE status IN ('active', 'blocked')) AS "clients",
      (SELECT count(*) FROM clients WHERE status IN ('active', 'blocked') AND created_at >= ${at(range.since)} AND created_at < ${at(range.until)}) AS "newClients",
      (SELECT count(*) FROM partners WHERE status = 'approved') AS "partners",
      (SELECT count(*) FROM partners WHERE status = 'pending') AS "pendingApplications",
      (SELECT count(*) FROM services WHERE status = 'pending') AS "pendingServices",
      (SELECT COALESCE(sum(amount_kopecks), 0) FROM purchases WHERE cancelled_at IS NULL AND created_at >= ${at(range.since)} AND created_at < ${at(range.until)}) AS "turnoverKopecks",
      (SELECT count(*) FROM purchases WHERE cancelled_at IS NULL AND created_at >= ${at(range.since)} AND created_at < ${at(range.until)}) AS "checks",
      (SELECT COALESCE(sum(points) FILTER (WHERE points > 0 AND kind <> 'merge'), 0) FROM ledger_entries WHERE created_at >= ${at(range.since)} AND created_at < ${at(range.until)}) AS "pointsIssued",
      (SELECT COALESCE(-sum(points) FILTER (WHERE kind = 'redemption'), 0) FROM ledger_entries WHERE created_at >= ${at(range.since)} AND created_at < ${at(range.until)}) AS "pointsRedeemed",
      (SELECT COALESCE(sum(points), 0) FROM balances) AS "pointsOutstanding",
      (SELECT count(*) FROM jobs WHERE status IN ('pending', 'running')) AS "jobsPending",
      (SELECT count(*) FROM jobs WHERE status = 'dead') AS "jobsDead"`);
  return Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k, Number(v)])) as NetworkStats;
}
