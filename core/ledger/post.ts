import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx, Tx } from "../../db/client.js";
import { balances, ledgerEntries } from "../../db/schema/index.js";
import { DomainError } from "../errors.js";
import { isRetryableConflict, isUniqueViolation } from "../pg-errors.js";

export type LedgerEntry = typeof ledgerEntries.$inferSelect;
type NewEntry = Omit<typeof ledgerEntries.$inferInsert, "id" | "balanceAfter">;

/**
 * The only way points move. In the caller's transaction it changes the cached balance with a
 * conditional UPDATE (the row lock serialises concurrent writers; `points + delta >= 0` and the table's
 * CHECK keep it from going negative) and appends the ledger row with the balance it left.
 * Throws INSUFFICIENT_POINTS when a debit would overdraw; a repeated idempotency key surfaces as a
 * unique violation, which `runIdempotent` turns into a replay.
 */
export async function postEntry(tx: Tx, entry: NewEntry & { createdAt: Date }): Promise<LedgerEntry> {
  const [balance] = await tx
    .update(balances)
    .set({ points: sql`${balances.points} + ${entry.points}`, updatedAt: entry.createdAt })
    .where(and(eq(balances.clientId, entry.clientId), sql`${balances.points} + ${entry.points} >= 0`))
    .returning({ points: balances.points });
  if (!balance) {
    const [current] = await tx.select({ points: balances.points }).from(balances).where(eq(balances.clientId, entry.clientId));
    if (!current) throw new DomainError("CLIENT_NOT_FOUND", `client ${entry.clientId} has no balance`);
    throw new DomainError("INSUFFICIENT_POINTS", "not enough points", { available: current.points, requested: -entry.points });
  }
  const [row] = await tx
    .insert(ledgerEntries)
    .values({ ...entry, balanceAfter: balance.points })
    .returning();
  return row!;
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
