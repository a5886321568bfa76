import { alias } from "drizzle-orm/pg-core";
import { desc, eq, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { ledgerEntries, partners } from "../../db/schema/index.js";

/** The kinds of operation an admin may undo (`undoOperation` with an admin actor), any time. */
export const adminReversibleKinds: readonly string[] = ["accrual", "redemption", "adjustment"];

export type ClientOperation = {
  id: number;
  kind: string;
  points: number;
  partnerName: string | null;
  createdAt: Date;
  /** The reversal row that undid it, if any. */
  reversedById: number | null;
  /** An admin may undo it now: an accrual, redemption or adjustment not undone yet. */
  undoable: boolean;
};

/** A client's latest ledger operations, newest first, each with whether it was undone: for the admin's client card. */
export async function recentClientOperations(db: DbOrTx, clientId: number, limit = 5): Promise<ClientOperation[]> {
  return operations(db, eq(ledgerEntries.clientId, clientId), Math.min(Math.max(limit, 1), 20));
}

/** One operation by its ledger id, or null. */
export async function clientOperation(db: DbOrTx, entryId: number): Promise<(ClientOperation & { clientId: number }) | null> {
  const [op] = await operations(db, eq(ledgerEntries.id, entryId), 1);
  return op ?? null;
}

async function operations(db: DbOrTx, where: SQL, limit: number) {
  const reversal = alias(ledgerEntries, "reversal");
  const rows = await db
    .select({
      id: ledgerEntries.id,
      clientId: ledgerEntries.clientId,
      kind: ledgerEntries.kind,
      points: ledgerEntries.points,
      partnerName: partners.name,
      createdAt: ledgerEntries.createdAt,
      reversedById: reversal.id,
    })
    .from(ledgerEntries)
    .leftJoin(partners, eq(partners.id, ledgerEntries.partnerId))
    .leftJoin(reversal, eq(reversal.reversesEntryId, ledgerEntries.id))
    .where(where)
    .orderBy(desc(ledgerEntries.id))
    .limit(limit);
  return rows.map((r) => ({ ...r, undoable: r.reversedById === null && adminReversibleKinds.includes(r.kind) }));
}
