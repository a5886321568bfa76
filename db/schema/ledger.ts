import { sql } from "drizzle-orm";
import { bigint, check, index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { clients } from "./clients.js";
import { partners } from "./partners.js";

export const tier = pgEnum("tier", ["bronze", "silver", "gold", "platinum"]);

/** A check a partner accrued cashback for. `(partner, receipt number)` of a standing check is the accrual's idempotency key. */
export const purchases = pgTable(
  "purchases",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    partnerId: bigint("partner_id", { mode: "number" })
      .notNull()
      .references(() => partners.id),
    clientId: bigint("client_id", { mode: "number" })
      .notNull()
      .references(() => clients.id),
    receiptNumber: text("receipt_number").notNull(),
    amountKopecks: bigint("amount_kopecks", { mode: "number" }).notNull(),
    /** The tier and rate in force when the check was accrued, kept for the client's history. */
    tier: tier("tier").notNull(),
    rateBp: integer("rate_bp").notNull(),
    pointsAccrued: bigint("points_accrued", { mode: "number" }).notNull(),
    staffTelegramId: bigint("staff_telegram_id", { mode: "number" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /** Set when the accrual was undone; such a check no longer counts for turnover or tiers. */
    cancelledAt: timestamp("cancelled_at", { withTimezone: true }),
  },
  (t) => [
    // A receipt is used once among the checks that stand; an undone check frees it to be entered again.
    uniqueIndex("purchases_partner_receipt_key")
      .on(t.partnerId, t.receiptNumber)
      .where(sql`${t.cancelledAt} IS NULL`),
    // In the database it also INCLUDEs (client_id, amount_kopecks, cancelled_at) for a partner's overview (migration 0012).
    index("purchases_partner_time_idx").on(t.partnerId, t.createdAt),
    index("purchases_client_time_idx").on(t.clientId, t.createdAt),
    // The dashboard's network-wide overview and exports read a period of checks across all partners. In the database
    // it also INCLUDEs (amount_kopecks, cancelled_at, partner_id), so the overview reads no heap (migration 0012).
    index("purchases_time_idx").on(t.createdAt),
    // Whether a client had a standing check at a partner before a period (a partner's new clients): one probe each.
    index("purchases_partner_client_first_idx")
      .on(t.partnerId, t.clientId, t.createdAt)
      .where(sql`${t.cancelledAt} IS NULL`),
    check("purchases_amount_positive", sql`${t.amountKopecks} > 0`),
    check("purchases_points_non_negative", sql`${t.pointsAccrued} >= 0`),
  ],
);

export const ledgerKind = pgEnum("ledger_kind", [
  "accrual",
  "redemption",
  "welcome_bonus",
  "referral_bonus",
  "reversal",
  "adjustment",
  "expiry",
  /** Points a client gives up when they delete their data. */
  "forfeiture",
  /** Points moved between two rows of one person when a phone-registered client is claimed. */
  "merge",
]);

export const actorType = pgEnum("actor_type", ["client", "staff", "admin", "system"]);

/**
 * The append-only ledger (a trigger refuses UPDATE and DELETE). A balance is the sum of its client's rows.
 * A mistake is corrected by a `reversal` row that points at the original through `reversesEntryId`.
 */
export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    clientId: bigint("client_id", { mode: "number" })
      .notNull()
      .references(() => clients.id),
    partnerId: bigint("partner_id", { mode: "number" }).references(() => partners.id),
    kind: ledgerKind("kind").notNull(),
    points: bigint("points", { mode: "number" }).notNull(),
    /** The client's balance right after this row; makes history readable without summing. */
    balanceAfter: bigint("balance_after", { mode: "number" }).notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    purchaseId: bigint("purchase_id", { mode: "number" }).references(() => purchases.id),
    redemptionRequestId: bigint("redemption_request_id", { mode: "number" }),
    reversesEntryId: bigint("reverses_entry_id", { mode: "number" }),
    /** For a reversal that could not take back all the points (they were spent): how many were missing. */
    shortfall: bigint("shortfall", { mode: "number" }).notNull().default(0),
    actorType: actorType("actor_type").notNull(),
    actorTelegramId: bigint("actor_telegram_id", { mode: "number" }),
    reason: text("reason"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("ledger_idempotency_key").on(t.idempotencyKey),
    uniqueIndex("ledger_reverses_entry_key").on(t.reversesEntryId),
    index("ledger_client_time_idx").on(t.clientId, t.createdAt),
    // In the database this index also INCLUDEs (kind, points) for a partner's liability (migration 0010; drizzle cannot say so).
    index("ledger_partner_time_idx").on(t.partnerId, t.createdAt),
    // The dashboard's network-wide overview, the settlement report and the ledger export read a period of rows.
    // In the database it also INCLUDEs (kind, points) for the overview (migration 0012; drizzle cannot say so).
    index("ledger_time_idx").on(t.createdAt),
    // Zero only for a reversal that found nothing left to take back (all of it is the shortfall).
    check("ledger_points_nonzero", sql`${t.points} <> 0 OR (${t.kind} = 'reversal' AND ${t.shortfall} > 0)`),
    check("ledger_balance_after_non_negative", sql`${t.balanceAfter} >= 0`),
    check("ledger_shortfall_non_negative", sql`${t.shortfall} >= 0`),
  ],
);

export const redemptionStatus = pgEnum("redemption_status", ["pending", "confirmed", "declined", "expired", "cancelled"]);

/**
 * A partner asks to take points off a check; nothing leaves the balance until the client confirms
 * (a button in the client bot, or by telling the cashier the one-time code only they were shown).
 */
export const redemptionRequests = pgTable(
  "redemption_requests",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    partnerId: bigint("partner_id", { mode: "number" })
      .notNull()
      .references(() => partners.id),
    clientId: bigint("client_id", { mode: "number" })
      .notNull()
      .references(() => clients.id),
    checkKopecks: bigint("check_kopecks", { mode: "number" }).notNull(),
    points: bigint("points", { mode: "number" }).notNull(),
    code: text("code").notNull(),
    status: redemptionStatus("status").notNull().default("pending"),
    idempotencyKey: text("idempotency_key").notNull(),
    /** The key of the call that decided it, so a replay of that same call gets the same answer. */
    decisionKey: text("decision_key"),
    staffTelegramId: bigint("staff_telegram_id", { mode: "number" }),
    ledgerEntryId: bigint("ledger_entry_id", { mode: "number" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    /** Wrong one-time codes typed for this request; at the limit the request is cancelled (a code cannot be guessed). */
    wrongCodeAttempts: integer("wrong_code_attempts").notNull().default(0),
  },
  (t) => [
    uniqueIndex("redemption_idempotency_key").on(t.idempotencyKey),
    // A code identifies one open request; once decided it may come round again.
    uniqueIndex("redemption_pending_code_key")
      .on(t.code)
      .where(sql`${t.status} = 'pending'`),
    index("redemption_code_idx").on(t.code),
    index("redemption_client_idx").on(t.clientId, t.createdAt),
    index("redemption_pending_expiry_idx")
      .on(t.expiresAt)
      .where(sql`${t.status} = 'pending'`),
    check("redemption_points_positive", sql`${t.points} > 0`),
    check("redemption_check_positive", sql`${t.checkKopecks} > 0`),
  ],
);

/** Each wrong one-time code a staff member typed: counted per staff member per hour to stop guessing across requests. */
export const codeAttemptFailures = pgTable(
  "code_attempt_failures",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    partnerId: bigint("partner_id", { mode: "number" })
      .notNull()
      .references(() => partners.id),
    staffTelegramId: bigint("staff_telegram_id", { mode: "number" }).notNull(),
    redemptionRequestId: bigint("redemption_request_id", { mode: "number" }).references(() => redemptionRequests.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("code_attempt_failures_staff_idx").on(t.staffTelegramId, t.createdAt)],
);
