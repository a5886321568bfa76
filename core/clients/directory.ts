import { alias } from "drizzle-orm/pg-core";
import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { clients, ledgerEntries, partners, purchases } from "../../db/schema/index.js";
import { clientNumbers, type ClientNumbers } from "../analytics/nightly.js";
import type { CustomerCategory, RfmSegment } from "../analytics/segments.js";
import { systemClock, type Clock } from "../clock.js";
import { DomainError } from "../errors.js";
import { adminReversibleKinds } from "../ledger/client-operations.js";
import { balanceOf } from "../ledger/post.js";
import { earnedPoints, tierStatus } from "../ledger/tiers.js";
import { getNetworkSettings } from "../settings/service.js";
import { ledgerRowColumns } from "./service.js";

/**
 * The dashboard's client directory. A partner's clients are those who joined through its link or have a standing
 * check there: the scope of the nightly analytics (core/analytics/nightly.ts), so the category and segment shown
 * are that partner's own. (Broadcasts count an undone check as a relation too; a directory that showed a client
 * with no standing check would show them with no numbers.) Deleted and merged clients are never listed.
 */
const inPartnerScope = (partnerId: number) => sql`(c.source_partner_id = ${partnerId}
  OR c.id IN (SELECT p.client_id FROM purchases p WHERE p.partner_id = ${partnerId} AND p.cancelled_at IS NULL))`;

export type DirectoryRow = {
  id: number;
  firstName: string | null;
  /** In full: the web server masks it for a partner. */
  phone: string | null;
  status: "active" | "blocked" | "deleted" | "merged";
  balance: number;
  category: CustomerCategory | null;
  segment: RfmSegment | null;
  joinedAt: Date;
};

export const directoryPageSize = 50;

/** `%`, `_` and `\` typed into a search box are letters, not patterns. */
const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * One page of clients, newest first, with the total that match. `q`: a phone number (digits in any format; for an
 * admin also a part of one, for a partner only the whole number) matches the phone; anything else matches the first name or Telegram username (case-insensitive, part of
 * it) or is a referral code in full. `category`/`segment` filter by the latest analytics in the caller's scope (the
 * partner's rows for a partner, the network's for an admin); a client not yet computed matches neither.
 */
export async function searchClients(
  db: DbOrTx,
  input: { partnerId: number | null; q?: string; category?: CustomerCategory; segment?: RfmSegment; page: number; pageSize?: number },
): Promise<{ items: DirectoryRow[]; total: number }> {
  const pageSize = Math.min(Math.max(input.pageSize ?? directoryPageSize, 1), 200);
  const page = Math.max(Math.floor(input.page), 1);
  const conditions: SQL[] = [sql`c.status IN ('active', 'blocked')`];
  if (input.partnerId !== null) conditions.push(inPartnerScope(input.partnerId));
  const q = input.q?.trim() ?? "";
  if (q !== "") {
    const digits = q.replace(/[\s()+-]/g, "");
    const code = q.toUpperCase();
    if (/^\d+$/.test(digits)) {
      // A Russian number is often typed with the trunk prefix 8 instead of +7.
      const international = /^8\d{10}$/.test(digits) ? `7${digits.slice(1)}` : digits;
      // A partner sees phones masked (+7916***-**-04): a part of a number would let it guess the hidden digits one
      // search at a time, so for a partner only the whole number matches, as at the till.
      const phoneMatch = input.partnerId === null ? sql`c.phone LIKE ${`%${international}%`}` : sql`c.phone = ${`+${international}`}`;
      conditions.push(sql`(${phoneMatch} OR c.referral_code = ${code})`);
    } else {
      const pattern = `%${likeEscaped(q.replace(/^@/, ""))}%`;
      conditions.push(sql`(c.first_name ILIKE ${pattern} OR c.username ILIKE ${pattern} OR c.referral_code = ${code})`);
    }
  }
  if (input.category) conditions.push(sql`s.category = ${input.category}`);
  if (input.segment) conditions.push(sql`s.segment = ${input.segment}`);
  const scopeOfSegments = input.partnerId === null ? sql`s.partner_id IS NULL` : sql`s.partner_id = ${input.partnerId}`;
  const where = sql.join(conditions, sql` AND `);
  const latestSegments = sql`LEFT JOIN client_segments s ON s.computed_on = (SELECT max(computed_on) FROM client_segments) AND s.client_id = c.id AND ${scopeOfSegments}`;
  // The page and the count run side by side: a page alone walks the join-date index and stops after `pageSize` rows.
  const [rows, [counted]] = await Promise.all([
    db.execute<{
      id: string;
      first_name: string | null;
      phone: string | null;
      status: DirectoryRow["status"];
      balance: string | null;
      category: CustomerCategory | null;
      segment: RfmSegment | null;
      joined_at: string | Date;
    }>(sql`
      SELECT c.id, c.first_name, c.phone, c.status, b.points AS balance, s.category, s.segment, c.created_at AS joined_at
      FROM clients c
      LEFT JOIN balances b ON b.client_id = c.id
      ${latestSegments}
      WHERE ${where}
      ORDER BY c.created_at DESC, c.id DESC
      LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`),
    db.execute<{ n: string }>(sql`
      SELECT count(*) AS n FROM clients c ${input.category || input.segment ? latestSegments : sql``} WHERE ${where}`),
  ]);
  const total = Number(counted?.n ?? 0);
  return {
    items: rows.map((r) => ({
      id: Number(r.id),
      firstName: r.first_name,
      phone: r.phone,
      status: r.status,
      balance: Number(r.balance ?? 0),
      category: r.category,
      segment: r.segment,
      joinedAt: new Date(r.joined_at),
    })),
    total,
  };
}

/** Whether the client is in the partner's scope: joined through its link, or has a standing check there. */
export async function isClientOfPartner(db: DbOrTx, clientId: number, partnerId: number): Promise<boolean> {
  const [row] = await db.execute<{ yes: boolean }>(sql`
    SELECT EXISTS (
      SELECT 1 FROM clients c WHERE c.id = ${clientId} AND (c.source_partner_id = ${partnerId}
        OR EXISTS (SELECT 1 FROM purchases p WHERE p.client_id = c.id AND p.partner_id = ${partnerId} AND p.cancelled_at IS NULL))
    ) AS yes`);
  return row?.yes === true;
}

export type ClientCard = {
  client: DirectoryRow & { tier: "bronze" | "silver" | "gold" | "platinum"; username: string | null; language: "ru" | "en" };
  numbers: ClientNumbers | null;
  purchases: { id: number; partnerName: string; receiptNumber: string; amountKopecks: number; pointsAccrued: number; createdAt: Date; cancelledAt: Date | null }[];
  ledger: { id: number; kind: string; points: number; balanceAfter: number; partnerName: string | null; reason: string | null; createdAt: Date; undoable: boolean }[];
};

const cardRows = 100;

/**
 * A client's card: who they are, their balance and tier, the latest analytics (LTV, segment) in the caller's scope,
 * and their latest purchases and ledger rows (up to 100 each, newest first). A partner sees only its own: the
 * client must be in its scope (else FORBIDDEN, also for an id that does not exist), and only the checks and ledger rows at it. Only an admin gets
 * `undoable` (an accrual, redemption or adjustment not undone yet: what `undoOperation` takes from an admin).
 * Unknown, deleted or merged: CLIENT_NOT_FOUND.
 */
export async function clientCard(db: DbOrTx, input: { clientId: number; partnerId: number | null }, clock: Clock = systemClock): Promise<ClientCard> {
  // A partner learns nothing of a client outside its scope, not even whether the id exists: scope is checked first.
  if (input.partnerId !== null && !(await isClientOfPartner(db, input.clientId, input.partnerId))) {
    throw new DomainError("FORBIDDEN", "not a client of this partner");
  }
  const [client] = await db.select().from(clients).where(eq(clients.id, input.clientId));
  if (!client || client.status === "deleted" || client.status === "merged") throw new DomainError("CLIENT_NOT_FOUND", "no such client");
  const settings = await getNetworkSettings(db);
  const reversal = alias(ledgerEntries, "reversal");
  const [balance, earned, numbers, checks, entries] = await Promise.all([
    balanceOf(db, client.id),
    earnedPoints(db, client.id, clock.now(), settings.tierWindowDays),
    clientNumbers(db, { clientId: client.id, partnerId: input.partnerId }),
    db
      .select({
        id: purchases.id,
        partnerName: partners.name,
        receiptNumber: purchases.receiptNumber,
        amountKopecks: purchases.amountKopecks,
        pointsAccrued: purchases.pointsAccrued,
        createdAt: purchases.createdAt,
        cancelledAt: purchases.cancelledAt,
      })
      .from(purchases)
      .innerJoin(partners, eq(partners.id, purchases.partnerId))
      .where(and(eq(purchases.clientId, client.id), input.partnerId === null ? undefined : eq(purchases.partnerId, input.partnerId)))
      .orderBy(desc(purchases.createdAt), desc(purchases.id))
      .limit(cardRows),
    db
      .select({ ...ledgerRowColumns, reason: ledgerEntries.reason, reversedById: reversal.id })
      .from(ledgerEntries)
      .leftJoin(partners, eq(partners.id, ledgerEntries.partnerId))
      .leftJoin(reversal, eq(reversal.reversesEntryId, ledgerEntries.id))
      .where(and(eq(ledgerEntries.clientId, client.id), input.partnerId === null ? undefined : eq(ledgerEntries.partnerId, input.partnerId)))
      .orderBy(desc(ledgerEntries.id))
      .limit(cardRows),
  ]);
  return {
    client: {
      id: client.id,
      firstName: client.firstName,
      phone: client.phone,
      status: client.status,
      balance,
      category: numbers?.category ?? null,
      segment: numbers?.segment ?? null,
      joinedAt: client.createdAt,
      tier: tierStatus(earned, settings.tierThresholds).tier,
      username: client.username,
      language: client.language,
    },
    numbers,
    purchases: checks,
    ledger: entries.map(({ reversedById, ...e }) => ({
      ...e,
      undoable: input.partnerId === null && reversedById === null && adminReversibleKinds.includes(e.kind),
    })),
  };
}

