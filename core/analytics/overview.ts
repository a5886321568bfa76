import { sql } from "drizzle-orm";
import { at, type DbOrTx } from "../../db/client.js";
import { lowScoreMax, npsOf } from "../feedback/service.js";
import { ledgerTotalNear, partnerLiabilityKinds } from "./ledger-totals.js";
import { daysOf, type Period } from "./period.js";

export type OverviewDay = {
  day: string;
  turnoverKopecks: number;
  checks: number;
  pointsIssued: number;
  pointsRedeemed: number;
  /** Points outstanding at the end of the day (Moscow). */
  liability: number;
  newClients: number;
  nps: number | null;
};

export type Overview = {
  from: string;
  to: string;
  totals: Omit<OverviewDay, "day"> & { npsResponses: number };
  days: OverviewDay[];
};

/**
 * Rows are grouped by the start of their Moscow day: `date_bin` from the period's first midnight (Moscow keeps UTC+3
 * all year, so every day is 24 h) costs a fraction of a time-zone conversion per row; each group's day is then
 * written once as YYYY-MM-DD.
 */
const dayText = (column: string) => sql.raw(`to_char(${column} AT TIME ZONE 'Europe/Moscow', 'YYYY-MM-DD')`);

type Counts = { promoters: number; passives: number; detractors: number };

/**
 * The dashboard's overview: the network's numbers (`partnerId` null) or one partner's, for every day of the period
 * (zeros included) and for the whole period. The definitions are those of the bots' statistics, so the dashboard and
 * /stats agree:
 * - turnover and checks: standing checks (undone ones left out), both;
 * - points issued and redeemed: as `networkStats` for the network (every positive row but merges issued; redemptions
 *   as made, an undo of one counted as issued) and as `partnerStats` for a partner (its accruals and bonuses net of
 *   undos; redemptions at it net of undos). The network's figures are gross because there a redemption's undo is
 *   money the network gave back, while a partner settles only what stands;
 * - liability: points outstanding at the end of each day. Network: the sum of every ledger row up to then (all
 *   balances). Partner: `partnerStats`' `pointsOutstanding`, all it issued minus all redeemed at it up to then;
 * - new clients: network, clients who joined that day and are active or blocked now (as `networkStats`); partner,
 *   clients whose first standing check there falls on that day (as `partnerStats`);
 * - NPS per day and for the period from the ratings given then; null with no rating.
 *
 * One grouped pass per table over the period on the created_at indexes (which cover the columns summed). The
 * liability before the period comes from the nightly total of `ledger_totals` nearest the period (see
 * ledger-totals.ts) and the rows between it and the period, read in the same pass; then each day adds its rows.
 * A partner's new clients: its clients of the period with no standing check there before it (an index probe each).
 */
export async function overview(db: DbOrTx, input: { partnerId: number | null; period: Period }): Promise<Overview> {
  const { partnerId, period } = input;
  const since = at(period.since);
  const until = at(period.until);
  const byPartner = partnerId === null ? sql`` : sql`AND partner_id = ${partnerId}`;
  const moscowDay = (column: string) => sql`date_bin('1 day', ${sql.raw(column)}, ${since})`;

  const checksQuery = db.execute<{ day: string; turnover: string; checks: string }>(sql`
    SELECT ${dayText("d")} AS day, turnover, checks FROM (
      SELECT ${moscowDay("created_at")} AS d, sum(amount_kopecks) AS turnover, count(*) AS checks
      FROM purchases
      WHERE cancelled_at IS NULL AND created_at >= ${since} AND created_at < ${until} ${byPartner}
      GROUP BY 1) g`);

  // The liability before the period: the scope's nightly total nearest the period, moved to `since` by the rows in
  // between (after the total and before the period: added; inside the period but before the total: taken off). So
  // one pass reads the period's rows and those between it and the total; with no total yet, all rows before `until`.
  const ledgerQuery = async () => {
    const total = await ledgerTotalNear(db, partnerId, period);
    const totalAt = total === null ? sql`'-infinity'::timestamptz` : at(total.asOf);
    const from = total === null || total.asOf >= period.since ? since : totalAt;
    const to = total === null || total.asOf <= period.until ? until : totalAt;
    const inScope = partnerId === null ? sql`` : sql`AND partner_id = ${partnerId} AND kind IN ${partnerLiabilityKinds}`;
    const ledgerRows = await db.execute<{ day: string | null; net: string; issued: string | null; redeemed: string | null; after_total: string | null; before_total: string | null }>(sql`
      SELECT ${dayText("d")} AS day, net, issued, redeemed, after_total, before_total FROM (
        SELECT CASE WHEN created_at >= ${since} AND created_at < ${until} THEN ${moscowDay("created_at")} END AS d,
          sum(points) AS net,
          ${
            partnerId === null
              ? sql`sum(points) FILTER (WHERE points > 0 AND kind <> 'merge') AS issued,
                    -sum(points) FILTER (WHERE kind = 'redemption') AS redeemed,`
              : sql`sum(points) FILTER (WHERE kind IN ('accrual', 'welcome_bonus', 'referral_bonus') OR (kind = 'reversal' AND points < 0)) AS issued,
                    -sum(points) FILTER (WHERE kind = 'redemption' OR (kind = 'reversal' AND points > 0)) AS redeemed,`
          }
          sum(points) FILTER (WHERE created_at >= ${totalAt} AND created_at < ${since}) AS after_total,
          sum(points) FILTER (WHERE created_at >= ${since} AND created_at < ${totalAt}) AS before_total
        FROM ledger_entries
        WHERE ${total === null ? sql`true` : sql`created_at >= ${from}`} AND created_at < ${to} ${inScope}
        GROUP BY 1) g`);
    return { total, ledgerRows };
  };

  const newClientsQuery =
    partnerId === null
      ? db.execute<{ day: string; n: string }>(sql`
          SELECT ${dayText("d")} AS day, n FROM (
            SELECT ${moscowDay("created_at")} AS d, count(*) AS n FROM clients
            WHERE status IN ('active', 'blocked') AND created_at >= ${since} AND created_at < ${until}
            GROUP BY 1) g`)
      : // A client new to the partner: their first standing check there in the period, and none before it (taken in
        // client order, the probes for an earlier check walk purchases_partner_client_first_idx forward).
        db.execute<{ day: string; n: string }>(sql`
          SELECT ${dayText("d")} AS day, n FROM (
            SELECT ${moscowDay("first_at")} AS d, count(*) AS n FROM (
              SELECT client_id, min(created_at) AS first_at FROM purchases
              WHERE partner_id = ${partnerId} AND cancelled_at IS NULL AND created_at >= ${since} AND created_at < ${until}
              GROUP BY client_id ORDER BY client_id) f
            WHERE NOT EXISTS (
              SELECT 1 FROM purchases earlier
              WHERE earlier.partner_id = ${partnerId} AND earlier.client_id = f.client_id AND earlier.cancelled_at IS NULL AND earlier.created_at < ${since})
            GROUP BY 1) g`);

  // The ratings index leads with the partner: naming every partner lets the network's query use it too.
  const ratingsQuery = db.execute<{ day: string; promoters: string; passives: string; detractors: string }>(sql`
    SELECT ${dayText("d")} AS day, promoters, passives, detractors FROM (
      SELECT ${moscowDay("created_at")} AS d,
        count(*) FILTER (WHERE score >= 9) AS promoters,
        count(*) FILTER (WHERE score BETWEEN 7 AND 8) AS passives,
        count(*) FILTER (WHERE score <= ${lowScoreMax}) AS detractors
      FROM nps_ratings
      WHERE ${partnerId === null ? sql`partner_id IN (SELECT id FROM partners)` : sql`partner_id = ${partnerId}`}
        AND created_at >= ${since} AND created_at < ${until}
      GROUP BY 1) g`);

  const [checkRows, { total, ledgerRows }, newClientRows, ratingRows] = await Promise.all([checksQuery, ledgerQuery(), newClientsQuery, ratingsQuery]);

  const checksByDay = new Map(checkRows.map((r) => [r.day, r]));
  const newByDay = new Map(newClientRows.map((r) => [r.day, Number(r.n)]));
  const ratingsByDay = new Map<string, Counts>(
    ratingRows.map((r) => [r.day, { promoters: Number(r.promoters), passives: Number(r.passives), detractors: Number(r.detractors) }]),
  );
  const ledgerByDay = new Map<string, { net: number; issued: number; redeemed: number }>();
  let liability = total?.net ?? 0;
  for (const r of ledgerRows) {
    liability += Number(r.after_total ?? 0) - Number(r.before_total ?? 0);
    if (r.day !== null) ledgerByDay.set(r.day, { net: Number(r.net), issued: Number(r.issued ?? 0), redeemed: Number(r.redeemed ?? 0) });
  }
  const days = daysOf(period);

  const totalCounts: Counts = { promoters: 0, passives: 0, detractors: 0 };
  const rows: OverviewDay[] = days.map((day) => {
    const checks = checksByDay.get(day);
    const points = ledgerByDay.get(day);
    const ratings = ratingsByDay.get(day);
    liability += points?.net ?? 0;
    if (ratings) {
      totalCounts.promoters += ratings.promoters;
      totalCounts.passives += ratings.passives;
      totalCounts.detractors += ratings.detractors;
    }
    return {
      day,
      turnoverKopecks: Number(checks?.turnover ?? 0),
      checks: Number(checks?.checks ?? 0),
      pointsIssued: points?.issued ?? 0,
      pointsRedeemed: points?.redeemed ?? 0,
      liability,
      newClients: newByDay.get(day) ?? 0,
      nps: ratings ? npsOf(ratings).nps : null,
    };
  });
  const sum = (key: "turnoverKopecks" | "checks" | "pointsIssued" | "pointsRedeemed" | "newClients") => rows.reduce((s, d) => s + d[key], 0);
  const periodNps = npsOf(totalCounts);
  return {
    from: period.from,
    to: period.to,
    totals: {
      turnoverKopecks: sum("turnoverKopecks"),
      checks: sum("checks"),
      pointsIssued: sum("pointsIssued"),
      pointsRedeemed: sum("pointsRedeemed"),
      liability,
      newClients: sum("newClients"),
      nps: periodNps.nps,
      npsResponses: periodNps.total,
    },
    days: rows,
  };
}
