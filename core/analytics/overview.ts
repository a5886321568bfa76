import { sql } from "drizzle-orm";
import { at, type DbOrTx } from "../../db/client.js";
import { lowScoreMax, npsOf } from "../feedback/service.js";
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
 * One grouped pass per table over the period on the created_at indexes. The network's liability is the balances'
 * total now minus every row since the start of the period (one pass from `since` to now, which for the usual "last
 * 30 days" is the period itself); a partner's is its rows before the period plus the running sum.
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

  // `day` null: rows outside the period that the liability needs (after it for the network, before it for a partner).
  const ledgerQuery =
    partnerId === null
      ? db.execute<{ day: string | null; net: string | null; issued: string | null; redeemed: string | null; outstanding: string }>(sql`
          WITH grouped AS (
            SELECT CASE WHEN created_at < ${until} THEN ${moscowDay("created_at")} END AS d,
              sum(points) AS net,
              sum(points) FILTER (WHERE points > 0 AND kind <> 'merge') AS issued,
              -sum(points) FILTER (WHERE kind = 'redemption') AS redeemed
            FROM ledger_entries WHERE created_at >= ${since}
            GROUP BY 1)
          SELECT ${dayText("g.d")} AS day, g.net, g.issued, g.redeemed, b.outstanding
          FROM (SELECT COALESCE(sum(points), 0) AS outstanding FROM balances) b LEFT JOIN grouped g ON true`)
      : db.execute<{ day: string | null; net: string | null; issued: string | null; redeemed: string | null; outstanding: string }>(sql`
          SELECT ${dayText("d")} AS day, net, issued, redeemed, 0 AS outstanding FROM (
          SELECT CASE WHEN created_at >= ${since} THEN ${moscowDay("created_at")} END AS d,
            sum(points) FILTER (WHERE kind IN ('accrual', 'welcome_bonus', 'referral_bonus', 'redemption', 'reversal')) AS net,
            sum(points) FILTER (WHERE kind IN ('accrual', 'welcome_bonus', 'referral_bonus') OR (kind = 'reversal' AND points < 0)) AS issued,
            -sum(points) FILTER (WHERE kind = 'redemption' OR (kind = 'reversal' AND points > 0)) AS redeemed
          FROM ledger_entries WHERE partner_id = ${partnerId} AND created_at < ${until}
          GROUP BY 1) g`);

  const newClientsQuery =
    partnerId === null
      ? db.execute<{ day: string; n: string }>(sql`
          SELECT ${dayText("d")} AS day, n FROM (
            SELECT ${moscowDay("created_at")} AS d, count(*) AS n FROM clients
            WHERE status IN ('active', 'blocked') AND created_at >= ${since} AND created_at < ${until}
            GROUP BY 1) g`)
      : db.execute<{ day: string; n: string }>(sql`
          SELECT ${dayText("d")} AS day, n FROM (
            SELECT ${moscowDay("first_at")} AS d, count(*) AS n FROM (
              SELECT min(created_at) AS first_at FROM purchases
              WHERE partner_id = ${partnerId} AND cancelled_at IS NULL GROUP BY client_id) f
            WHERE first_at >= ${since} AND first_at < ${until}
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

  const [checkRows, ledgerRows, newClientRows, ratingRows] = await Promise.all([checksQuery, ledgerQuery, newClientsQuery, ratingsQuery]);

  const checksByDay = new Map(checkRows.map((r) => [r.day, r]));
  const newByDay = new Map(newClientRows.map((r) => [r.day, Number(r.n)]));
  const ratingsByDay = new Map<string, Counts>(
    ratingRows.map((r) => [r.day, { promoters: Number(r.promoters), passives: Number(r.passives), detractors: Number(r.detractors) }]),
  );
  const ledgerByDay = new Map<string, { net: number; issued: number; redeemed: number }>();
  let outside = 0;
  for (const r of ledgerRows) {
    if (r.day === null) outside += Number(r.net ?? 0);
    else ledgerByDay.set(r.day, { net: Number(r.net ?? 0), issued: Number(r.issued ?? 0), redeemed: Number(r.redeemed ?? 0) });
  }
  const days = daysOf(period);
  // Liability before the first day: a partner's rows before the period; the network's balances now less every row since.
  let liability =
    partnerId === null
      ? Number(ledgerRows[0]?.outstanding ?? 0) - outside - [...ledgerByDay.values()].reduce((s, d) => s + d.net, 0)
      : outside;

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
