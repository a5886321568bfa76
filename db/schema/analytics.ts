import { bigint, date, index, integer, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";
import { clients } from "./clients.js";
import { partners } from "./partners.js";

/**
 * Each client's category and RFM segment as computed on a date, network-wide (`partnerId` null) and per partner.
 * Recomputed nightly (and on demand); a day's rows are replaced as a whole.
 */
export const clientSegments = pgTable(
  "client_segments",
  {
    computedOn: date("computed_on", { mode: "string" }).notNull(),
    partnerId: bigint("partner_id", { mode: "number" }).references(() => partners.id),
    clientId: bigint("client_id", { mode: "number" })
      .notNull()
      .references(() => clients.id),
    purchases: integer("purchases").notNull(),
    totalKopecks: bigint("total_kopecks", { mode: "number" }).notNull(),
    averageCheckKopecks: bigint("average_check_kopecks", { mode: "number" }).notNull(),
    /** Null for a client with no purchase yet (category New). */
    lastPurchaseAt: timestamp("last_purchase_at", { withTimezone: true }),
    /** Lifetime value: everything the client has spent (all time), less the points they paid with, in kopecks. */
    ltvKopecks: bigint("ltv_kopecks", { mode: "number" }).notNull().default(0),
    recency: integer("recency").notNull(),
    frequency: integer("frequency").notNull(),
    monetary: integer("monetary").notNull(),
    segment: text("segment").notNull(),
    category: text("category").notNull(),
  },
  (t) => [
    index("client_segments_scope_idx").on(t.computedOn, t.partnerId, t.segment),
    index("client_segments_client_idx").on(t.clientId),
  ],
);

/**
 * The ledger's running total at an instant, kept by the nightly job so the dashboard's liability need not sum a whole
 * history: `net` is the sum of every ledger row created before `asOf` — for the network (`scopePartnerId` null) all
 * rows, for a partner its `partnerStats` outstanding points (its accruals, bonuses, redemptions and reversals). One row
 * per scope per night, each the previous one plus the rows in between; kept, so an old period finds one near it.
 */
export const ledgerTotals = pgTable(
  "ledger_totals",
  {
    scopePartnerId: bigint("scope_partner_id", { mode: "number" }).references(() => partners.id),
    asOf: timestamp("as_of", { withTimezone: true }).notNull(),
    net: bigint("net", { mode: "number" }).notNull(),
  },
  (t) => [unique("ledger_totals_scope_as_of_key").on(t.scopePartnerId, t.asOf).nullsNotDistinct()],
);
