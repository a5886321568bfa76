-- A partner's liability on the dashboard and in /stats sums its whole ledger history (kind, points): with these two
-- columns in the index that is an index-only read instead of a heap fetch per row (1.2 s → 0.3 s for a partner with
-- 400,000 rows). drizzle-orm cannot declare INCLUDE, so this index is written here and named as in db/schema/ledger.ts.
DROP INDEX IF EXISTS "ledger_partner_time_idx";--> statement-breakpoint
CREATE INDEX "ledger_partner_time_idx" ON "ledger_entries" USING btree ("partner_id","created_at") INCLUDE ("kind","points");
