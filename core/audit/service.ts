import { desc, lt } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { auditLog } from "../../db/schema/index.js";

export type AuditEntry = {
  actorType: "admin" | "staff" | "client" | "system";
  actorTelegramId?: number | null;
  action: string;
  targetType: string;
  targetId?: number | null;
  details?: Record<string, unknown>;
};

/** Written in the caller's transaction: an action and its audit row exist together or not at all. */
export async function audit(tx: DbOrTx, entry: AuditEntry): Promise<void> {
  await tx.insert(auditLog).values({
    actorType: entry.actorType,
    actorTelegramId: entry.actorTelegramId ?? null,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    details: entry.details ?? {},
  });
}

export async function recentAudit(db: DbOrTx, limit = 20) {
  return db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(Math.min(Math.max(limit, 1), 100));
}

/** The dashboard's audit log: newest first, `limit` (default 50, at most 100) a page, older pages by `before` (an id). */
export async function auditPage(db: DbOrTx, input: { before?: number; limit?: number } = {}) {
  const limit = Math.min(Math.max(input.limit ?? 50, 1), 100);
  const rows = await db
    .select()
    .from(auditLog)
    .where(input.before === undefined ? undefined : lt(auditLog.id, input.before))
    .orderBy(desc(auditLog.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  return { items, nextBefore: rows.length > limit ? items[items.length - 1]!.id : null };
}
