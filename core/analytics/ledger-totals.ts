import { sql, type SQL } from "drizzle-orm";
import { at, type DbOrTx } from "../../db/client.js";
import { addHours, startOfDay, systemClock, type Clock } from "../clock.js";

/** The ledger kinds whose points a partner owes (`partnerStats`' outstanding points): what it issued less what was redeemed at it. */
export const partnerLiabilityKinds = sql`('accrual', 'welcome_bonus', 'referral_bonus', 'redemption', 'reversal')`;

/**
 * A ledger row is written with the instant its operation began, so one still in flight may commit a little after that
 * instant: a total is taken this long after the time it is as of, when every row created before then has committed.
 */
const settleHours = 1;

/** The instant a run at `now` totals up to: the latest Moscow midnight at least `settleHours` ago (periods start at midnights). */
export const ledgerTotalsAsOf = (now: Date) => startOfDay(addHours(now, -settleHours));

/** The points of one scope's rows: all of them for the network, the partner's outstanding kinds at it for a partner. */
const scopeSum = (partnerId: SQL | null, from: SQL, to: SQL) =>
  partnerId === null
    ? sql`(SELECT COALESCE(sum(points), 0) FROM ledger_entries WHERE created_at >= ${from} AND created_at < ${to})`
    : sql`(SELECT COALESCE(sum(points), 0) FROM ledger_entries
           WHERE partner_id = ${partnerId} AND kind IN ${partnerLiabilityKinds} AND created_at >= ${from} AND created_at < ${to})`;

/**
 * The nightly upkeep of `ledger_totals`: for the network and each partner, the total as of the latest settled
 * midnight ({@link ledgerTotalsAsOf}), computed from the scope's latest earlier total plus the rows since (a day's
 * rows), or from all its rows if it has none yet (the first night, a new partner). A scope that already has a total
 * at or after that instant is left alone, so a second run (the same night, or two workers at once: the unique key
 * turns the later insert into nothing) writes nothing. One statement, so one transaction. Returns the rows written.
 */
export async function advanceLedgerTotals(db: DbOrTx, clock: Clock = systemClock): Promise<number> {
  const asOf = at(ledgerTotalsAsOf(clock.now()));
  const since = sql`COALESCE(prev.as_of, '-infinity'::timestamptz)`;
  const latest = (scope: SQL) => sql`LEFT JOIN LATERAL (
      SELECT as_of, net FROM ledger_totals WHERE ${scope} ORDER BY as_of DESC LIMIT 1) prev ON true`;
  const written = await db.execute(sql`
    INSERT INTO ledger_totals (scope_partner_id, as_of, net)
    SELECT NULL::bigint, ${asOf}, COALESCE(prev.net, 0) + ${scopeSum(null, since, asOf)}
    FROM (VALUES (1)) network ${latest(sql`scope_partner_id IS NULL`)}
    WHERE prev.as_of IS NULL OR prev.as_of < ${asOf}
    UNION ALL
    SELECT p.id, ${asOf}, COALESCE(prev.net, 0) + ${scopeSum(sql`p.id`, since, asOf)}
    FROM partners p ${latest(sql`scope_partner_id = p.id`)}
    WHERE prev.as_of IS NULL OR prev.as_of < ${asOf}
    ON CONFLICT DO NOTHING`);
  return written.count;
}

export type LedgerTotal = { asOf: Date; net: number };

/**
 * The scope's total nearest the period [since, until) — one inside it costs nothing extra to use, one outside the
 * rows between it and the period — or null if it has none. `partnerId` null: the network's.
 */
export async function ledgerTotalNear(db: DbOrTx, partnerId: number | null, range: { since: Date; until: Date }): Promise<LedgerTotal | null> {
  const scope = partnerId === null ? sql`scope_partner_id IS NULL` : sql`scope_partner_id = ${partnerId}`;
  const since = at(range.since);
  const until = at(range.until);
  const [row] = await db.execute<{ as_of: string | Date; net: string }>(sql`
    SELECT as_of, net FROM (
      (SELECT as_of, net FROM ledger_totals WHERE ${scope} AND as_of <= ${until} ORDER BY as_of DESC LIMIT 1)
      UNION ALL
      (SELECT as_of, net FROM ledger_totals WHERE ${scope} AND as_of > ${until} ORDER BY as_of LIMIT 1)) near
    ORDER BY greatest(${since} - as_of, as_of - ${until}), as_of LIMIT 1`);
  return row ? { asOf: new Date(row.as_of), net: Number(row.net) } : null;
}
