import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { at, type DbOrTx } from "../../db/client.js";
import { clients, clientSegments } from "../../db/schema/index.js";
import { systemClock, type Clock } from "../clock.js";
import { customerCategory, frequencyScore, monetaryScore, recencyScore, rfmSegment, type CustomerCategory, type RfmSegment } from "./segments.js";

const dayMs = 24 * 60 * 60 * 1000;

/** The calendar date (Moscow) a computation at `now` is filed under. */
export const analyticsDate = (now: Date) => new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Moscow" }).format(now);

/**
 * Recomputes every client's category and RFM segment, network-wide and per partner, from the purchases (undone
 * checks excluded) and files them under today's date, replacing an earlier run of the same day. Returns the rows written.
 */
export async function recomputeSegments(db: DbOrTx, clock: Clock = systemClock): Promise<number> {
  const now = clock.now();
  const computedOn = analyticsDate(now);
  const yearAgo = new Date(now.getTime() - 365 * dayMs);
  const aggregates = await db.execute<{
    client_id: string;
    partner_id: string | null;
    purchases: string;
    total: string;
    last_at: string | Date;
    purchases_365: string;
    spend_365: string;
  }>(sql`
    SELECT p.client_id, p.partner_id, count(*) AS purchases, sum(p.amount_kopecks) AS total, max(p.created_at) AS last_at,
      count(*) FILTER (WHERE p.created_at > ${at(yearAgo)}) AS purchases_365,
      COALESCE(sum(p.amount_kopecks) FILTER (WHERE p.created_at > ${at(yearAgo)}), 0) AS spend_365
    FROM purchases p JOIN clients c ON c.id = p.client_id AND c.status IN ('active', 'blocked')
    WHERE p.cancelled_at IS NULL AND p.created_at <= ${at(now)}
    GROUP BY GROUPING SETS ((p.client_id, p.partner_id), (p.client_id))`);

  const rows = aggregates.map((a) => {
    const purchases = Number(a.purchases);
    const total = Number(a.total);
    const last = new Date(a.last_at);
    const daysSinceLast = Math.floor((now.getTime() - last.getTime()) / dayMs);
    const r = recencyScore(daysSinceLast);
    const f = frequencyScore(Number(a.purchases_365));
    const m = monetaryScore(Number(a.spend_365));
    return {
      computedOn,
      partnerId: a.partner_id === null ? null : Number(a.partner_id),
      clientId: Number(a.client_id),
      purchases,
      totalKopecks: total,
      averageCheckKopecks: Math.round(total / purchases),
      lastPurchaseAt: last,
      recency: r,
      frequency: f,
      monetary: m,
      segment: rfmSegment(r, f, m),
      category: customerCategory({ purchases, totalKopecks: total, daysSinceLast }),
    };
  });
  await db.transaction(async (tx) => {
    await tx.delete(clientSegments).where(eq(clientSegments.computedOn, computedOn));
    for (let i = 0; i < rows.length; i += 1_000) await tx.insert(clientSegments).values(rows.slice(i, i + 1_000));
  });
  return rows.length;
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
