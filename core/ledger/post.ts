import { eq, sql, type SQL } from "drizzle-orm";
import { at, type DbOrTx, type Tx } from "../../db/client.js";
import { balances, ledgerEntries } from "../../db/schema/index.js";
import { DomainError } from "../errors.js";
import { countLedgerWrite } from "../ops/metrics.js";
import { isRetryableConflict, isUniqueViolation } from "../pg-errors.js";

export type LedgerEntry = typeof ledgerEntries.$inferSelect;
type NewEntry = Omit<typeof ledgerEntries.$inferInsert, "id" | "balanceAfter">;

/**
 * The only way points move. In the caller's transaction, one statement changes the cached balance with a
 * conditional UPDATE (the row lock serialises concurrent writers; `points + delta >= 0` and the table's CHECK keep
 * it from going negative) and appends the ledger row with the balance it left.
 * Throws INSUFFICIENT_POINTS when a debit would overdraw; a repeated idempotency key surfaces as a
 * unique violation, which `runIdempotent` turns into a replay. Each row written is counted in
 * `cashback_ledger_writes_total`.
 */
export async function postEntry(tx: Tx, entry: NewEntry & { createdAt: Date }): Promise<LedgerEntry> {
  const rows = await tx.execute<RawEntry>(sql`WITH ${movePoints(entry.clientId, entry.points, entry.createdAt)} ${appendEntry(entry, sql`moved.points`, sql`moved`)} RETURNING *`);
  const row = rows[0];
  if (row) {
    // Counted when the row is written, inside the caller's transaction (drizzle has no commit hook): a transaction
    // that rolls back afterwards (rare: a retried conflict) has been counted once more than it wrote.
    countLedgerWrite(row.kind);
    return fromRaw(row);
  }
  const [current] = await tx.select({ points: balances.points }).from(balances).where(eq(balances.clientId, entry.clientId));
  if (!current) throw new DomainError("CLIENT_NOT_FOUND", `client ${entry.clientId} has no balance`);
  throw new DomainError("INSUFFICIENT_POINTS", "not enough points", { available: current.points, requested: -entry.points });
}

/**
 * The balance half of a posting, as a CTE named `moved` (for use after WITH): the conditional UPDATE that can
 * never overdraw. Returns the new balance as `moved.points`, or no row if the client lacks the points (or
 * `onlyIf`, a condition on earlier CTEs of the same statement, is false).
 */
export const movePoints = (clientId: number, delta: number, at_: Date, onlyIf: SQL = sql`TRUE`) => sql`moved AS (
  UPDATE balances SET points = points + ${delta}, updated_at = ${at(at_)}
  WHERE client_id = ${clientId} AND points + ${delta} >= 0 AND ${onlyIf}
  RETURNING points)`;

/**
 * The ledger half: appends the row with `balanceAfter` (an SQL expression), selecting `FROM` the given CTEs.
 * `computed` lets the purchase id and the key come from an earlier CTE of the same statement.
 */
export const appendEntry = (entry: NewEntry & { createdAt: Date }, balanceAfter: SQL, from: SQL, computed: { purchaseId?: SQL; idempotencyKey?: SQL } = {}) => sql`
  INSERT INTO ledger_entries (client_id, partner_id, kind, points, balance_after, idempotency_key, purchase_id,
    redemption_request_id, reverses_entry_id, shortfall, actor_type, actor_telegram_id, reason, created_at)
  SELECT ${entry.clientId}, ${entry.partnerId ?? null}, ${entry.kind}, ${entry.points}, ${balanceAfter}, ${computed.idempotencyKey ?? entry.idempotencyKey},
    ${computed.purchaseId ?? entry.purchaseId ?? null}, ${entry.redemptionRequestId ?? null}, ${entry.reversesEntryId ?? null}, ${entry.shortfall ?? 0},
    ${entry.actorType}, ${entry.actorTelegramId ?? null}, ${entry.reason ?? null}, ${at(entry.createdAt)}
  FROM ${from}`;

type RawEntry = {
  id: string; client_id: string; partner_id: string | null; kind: LedgerEntry["kind"]; points: string; balance_after: string;
  idempotency_key: string; purchase_id: string | null; redemption_request_id: string | null; reverses_entry_id: string | null;
  shortfall: string; actor_type: LedgerEntry["actorType"]; actor_telegram_id: string | null; reason: string | null; created_at: string | Date;
};

const idOrNull = (v: string | null) => (v === null ? null : Number(v));

/** A raw `ledger_entries` row (bigints come back as text) in the schema's shape. */
function fromRaw(r: RawEntry): LedgerEntry {
  return {
    id: Number(r.id),
    clientId: Number(r.client_id),
    partnerId: idOrNull(r.partner_id),
    kind: r.kind,
    points: Number(r.points),
    balanceAfter: Number(r.balance_after),
    idempotencyKey: r.idempotency_key,
    purchaseId: idOrNull(r.purchase_id),
    redemptionRequestId: idOrNull(r.redemption_request_id),
    reversesEntryId: idOrNull(r.reverses_entry_id),
    shortfall: Number(r.shortfall),
    actorType: r.actor_type,
    actorTelegramId: idOrNull(r.actor_telegram_id),
    reason: r.reason,
    createdAt: new Date(r.created_at),
  };
}

/** Reads the balance; FOR UPDATE when the caller is about to decide on it. */
export async function balanceOf(db: DbOrTx, clientId: number, lock = false): Promise<number> {
  const q = db.select({ points: balances.points }).from(balances).where(eq(balances.clientId, clientId));
  const [row] = lock ? await q.for("update") : await q;
  if (!row) throw new DomainError("CLIENT_NOT_FOUND", `client ${clientId} has no balance`);
  return row.points;
}

export async function findEntryByKey(db: DbOrTx, idempotencyKey: string): Promise<LedgerEntry | undefined> {
  const [row] = await db.select().from(ledgerEntries).where(eq(ledgerEntries.idempotencyKey, idempotencyKey));
  return row;
}

/**
 * Runs a money-writing transaction so that a duplicate never writes twice: `attempt` first looks for
 * the result of an earlier call with the same key and returns it; if two calls race past that look,
 * the loser hits a unique index, its transaction rolls back whole, and running it again finds the
 * winner's result. Deadlocks are retried the same way (they undo everything too).
 */
export async function runIdempotent<T>(attempt: () => Promise<T>, maxAttempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      const retry = isUniqueViolation(err) || isRetryableConflict(err);
      if (!retry || i >= maxAttempts) throw err;
    }
  }
}

/** For integrity checks and tests: clients whose cached balance differs from the sum of their ledger. */
export async function findBalanceDrift(db: DbOrTx): Promise<{ clientId: number; cached: number; ledger: number }[]> {
  const rows = await db.execute<{ client_id: string; cached: string; ledger: string }>(sql`
    SELECT b.client_id, b.points AS cached, COALESCE(SUM(e.points), 0) AS ledger
    FROM balances b LEFT JOIN ledger_entries e ON e.client_id = b.client_id
    GROUP BY b.client_id, b.points
    HAVING b.points <> COALESCE(SUM(e.points), 0)`);
  return rows.map((r) => ({ clientId: Number(r.client_id), cached: Number(r.cached), ledger: Number(r.ledger) }));
}
