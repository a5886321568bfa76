import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { at, type DbOrTx } from "../../db/client.js";
import { clients, clientSegments } from "../../db/schema/index.js";
import { systemClock, type Clock } from "../clock.js";
import { customerCategory, frequencyScore, monetaryScore, recencyScore, rfmSegment, type CustomerCategory, type RfmSegment } from "./segments.js";

const dayMs = 24 * 60 * 60 * 1000;

/** The calendar date (Moscow) a computation at `now` is filed under. */
export const analyticsDate = (now: Date) => new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Moscow" }).format(now);

/** 1 point = 1 ₽ of discount (DOMAIN.md): a redeemed point is 100 kopecks the client did not pay. */
const kopecksPerPoint = 100;

/**
 * Recomputes every client's category, RFM segment and numbers (purchases, total, average check, last purchase, LTV),
 * network-wide and per partner, from the purchases (undone checks excluded), and files them under today's date,
 * replacing an earlier run of the same day. Returns the rows written.
 *
 * Who is counted:
 * - network-wide, every client (active or blocked), a purchase or not: a client with no purchase yet is New, so a
 *   broadcast to New clients reaches those who joined and have not bought yet;
 * - per partner, the partner's own clients (the same scope as its broadcasts): those who bought there, and those who
 *   joined through its link (with no purchase there they are New for it). Clients with no relation to the partner
 *   are not in its scope.
 *
 * A client with no purchase (in the scope): 0 purchases, total, average check and LTV 0 (less any points redeemed
 * there), last purchase null, category New however long ago they joined (Inactive is for a client who bought and
 * stopped). RFM: F = M = 1 and R counts from the day they joined instead of the last purchase, so a newcomer is in
 * "new", and one who joined a year ago and never bought drifts through "need attention" and "hibernating" to "lost".
 *
 * LTV (lifetime value, `ltv_kopecks`): everything the client has spent in the scope, all time (standing checks),
 * less the points they paid with there (redemptions not undone), in kopecks (1 point = 100 kopecks). It is negative
 * for a client who paid with more points (a welcome or referral bonus) than they spent.
 */
export async function recomputeSegments(db: DbOrTx, clock: Clock = systemClock): Promise<number> {
  const now = clock.now();
  const computedOn = analyticsDate(now);
  const yearAgo = new Date(now.getTime() - 365 * dayMs);
  const aggregates = await db.execute<{
    client_id: string;
    partner_id: string | null;
    joined_at: string | Date;
    purchases: string;
    total: string;
    last_at: string | Date | null;
    purchases_365: string;
    spend_365: string;
    redeemed_points: string;
  }>(sql`
    WITH counted AS (SELECT id, source_partner_id, created_at FROM clients WHERE status IN ('active', 'blocked')),
    bought AS (
      SELECT p.client_id, p.partner_id, count(*) AS purchases, sum(p.amount_kopecks) AS total, max(p.created_at) AS last_at,
        count(*) FILTER (WHERE p.created_at > ${at(yearAgo)}) AS purchases_365,
        COALESCE(sum(p.amount_kopecks) FILTER (WHERE p.created_at > ${at(yearAgo)}), 0) AS spend_365
      FROM purchases p JOIN counted c ON c.id = p.client_id
      WHERE p.cancelled_at IS NULL AND p.created_at <= ${at(now)}
      GROUP BY GROUPING SETS ((p.client_id, p.partner_id), (p.client_id))),
    redeemed AS (
      SELECT e.client_id, e.partner_id, -sum(e.points) AS points
      FROM ledger_entries e JOIN counted c ON c.id = e.client_id
      WHERE e.kind = 'redemption' AND e.created_at <= ${at(now)}
        AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses_entry_id = e.id AND r.created_at <= ${at(now)})
      GROUP BY GROUPING SETS ((e.client_id, e.partner_id), (e.client_id))),
    scope AS (
      SELECT id AS client_id, NULL::bigint AS partner_id FROM counted
      UNION SELECT id, source_partner_id FROM counted WHERE source_partner_id IS NOT NULL
      UNION SELECT client_id, partner_id FROM bought WHERE partner_id IS NOT NULL)
    SELECT s.client_id, s.partner_id, c.created_at AS joined_at,
      COALESCE(b.purchases, 0) AS purchases, COALESCE(b.total, 0) AS total, b.last_at,
      COALESCE(b.purchases_365, 0) AS purchases_365, COALESCE(b.spend_365, 0) AS spend_365, COALESCE(r.points, 0) AS redeemed_points
    FROM scope s JOIN counted c ON c.id = s.client_id
    LEFT JOIN bought b ON b.client_id = s.client_id AND b.partner_id IS NOT DISTINCT FROM s.partner_id
    LEFT JOIN redeemed r ON r.client_id = s.client_id AND r.partner_id IS NOT DISTINCT FROM s.partner_id`);

  const rows = aggregates.map((a) => {
    const purchases = Number(a.purchases);
    const total = Number(a.total);
    const last = a.last_at === null ? null : new Date(a.last_at);
    const daysSince = (from: Date) => Math.max(0, Math.floor((now.getTime() - from.getTime()) / dayMs));
    const r = recencyScore(daysSince(last ?? new Date(a.joined_at)));
    const f = frequencyScore(Number(a.purchases_365));
    const m = monetaryScore(Number(a.spend_365));
    return {
      computedOn,
      partnerId: a.partner_id === null ? null : Number(a.partner_id),
      clientId: Number(a.client_id),
      purchases,
      totalKopecks: total,
      averageCheckKopecks: purchases === 0 ? 0 : Math.round(total / purchases),
      lastPurchaseAt: last,
      ltvKopecks: total - Number(a.redeemed_points) * kopecksPerPoint,
      recency: r,
      frequency: f,
      monetary: m,
      segment: rfmSegment(r, f, m),
      category: customerCategory({ purchases, totalKopecks: total, daysSinceLast: last === null ? null : daysSince(last) }),
    };
  });
  await db.transaction(async (tx) => {
    await tx.delete(clientSegments).where(eq(clientSegments.computedOn, computedOn));
    for (let i = 0; i < rows.length; i += 1_000) await tx.insert(clientSegments).values(rows.slice(i, i + 1_000));
  });
  return rows.length;
}

export type ClientNumbers = {
  computedOn: string;
  purchases: number;
  totalKopecks: number;
  averageCheckKopecks: number;
  lastPurchaseAt: Date | null;
  ltvKopecks: number;
  category: CustomerCategory;
  segment: RfmSegment;
};

/**
 * One client's numbers from the latest computation, network-wide (`partnerId: null`) or at one partner; null when the
 * client was not in that scope then (they joined since, or have no relation to the partner).
 */
export async function clientNumbers(db: DbOrTx, scope: { clientId: number; partnerId: number | null }): Promise<ClientNumbers | null> {
  const [latest] = await db.select({ on: clientSegments.computedOn }).from(clientSegments).orderBy(desc(clientSegments.computedOn)).limit(1);
  if (!latest) return null;
  const [row] = await db
    .select()
    .from(clientSegments)
    .where(
      and(
        eq(clientSegments.computedOn, latest.on),
        eq(clientSegments.clientId, scope.clientId),
        scope.partnerId === null ? isNull(clientSegments.partnerId) : eq(clientSegments.partnerId, scope.partnerId),
      ),
    );
  if (!row) return null;
  return {
    computedOn: row.computedOn,
    purchases: row.purchases,
    totalKopecks: row.totalKopecks,
    averageCheckKopecks: row.averageCheckKopecks,
    lastPurchaseAt: row.lastPurchaseAt,
    ltvKopecks: row.ltvKopecks,
    category: row.category as CustomerCategory,
    segment: row.segment as RfmSegment,
  };
}

export type SegmentCounts = { computedOn: string | null; segments: Partial<Record<RfmSegment, number>>; categories: Partial<Record<CustomerCategory, number>> };

/** How many clients are in each segment and category, from the latest computation; for the network or one partner. */
export async function segmentCounts(db: DbOrTx, scope: { partnerId: number | null }): Promise<SegmentCounts> {
  const scopeWhere = scope.partnerId === null ? isNull(clientSegments.partnerId) : eq(clientSegments.partnerId, scope.partnerId);
  const [latest] = await db.select({ on: clientSegments.computedOn }).from(clientSegments).orderBy(desc(clientSegments.computedOn)).limit(1);
  if (!latest) return { computedOn: null, segments: {}, categories: {} };
  const where = and(eq(clientSegments.computedOn, latest.on), scopeWhere);
  const bySegment = await db.select({ key: clientSegments.segment, n: sql<string>`count(*)` }).from(clientSegments).where(where).groupBy(clientSegments.segment);
  const byCategory = await db.select({ key: clientSegments.category, n: sql<string>`count(*)` }).from(clientSegments).where(where).groupBy(clientSegments.category);
  return {
    computedOn: latest.on,
    segments: Object.fromEntries(bySegment.map((r) => [r.key, Number(r.n)])),
    categories: Object.fromEntries(byCategory.map((r) => [r.key, Number(r.n)])),
  };
}

/** The reachable clients (Telegram account, not unreachable, active) of a segment or category, from the latest computation. */
export async function segmentMembers(db: DbOrTx, scope: { partnerId: number | null; segment?: RfmSegment; category?: CustomerCategory }): Promise<number[]> {
  const [latest] = await db.select({ on: clientSegments.computedOn }).from(clientSegments).orderBy(desc(clientSegments.computedOn)).limit(1);
  if (!latest) return [];
  const rows = await db
    .select({ id: clientSegments.clientId })
    .from(clientSegments)
    .innerJoin(clients, eq(clients.id, clientSegments.clientId))
    .where(
      and(
        eq(clientSegments.computedOn, latest.on),
        scope.partnerId === null ? isNull(clientSegments.partnerId) : eq(clientSegments.partnerId, scope.partnerId),
        scope.segment ? eq(clientSegments.segment, scope.segment) : undefined,
        scope.category ? eq(clientSegments.category, scope.category) : undefined,
        eq(clients.status, "active"),
        sql`${clients.telegramId} IS NOT NULL AND ${clients.unreachableSince} IS NULL`,
      ),
    );
  return rows.map((r) => r.id);
}
