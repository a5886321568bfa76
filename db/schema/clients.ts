import { sql } from "drizzle-orm";
import { bigint, check, index, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { partners } from "./partners.js";

export const clientStatus = pgEnum("client_status", ["active", "blocked", "deleted", "merged"]);
export const language = pgEnum("language", ["ru", "en"]);

/**
 * A shop's customer. `telegramId` is null for a client a partner registered by phone who has not
 * opened the client bot yet; when they do and share that phone, this same row is claimed.
 */
export const clients = pgTable(
  "clients",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    telegramId: bigint("telegram_id", { mode: "number" }),
    phone: text("phone"),
    firstName: text("first_name"),
    username: text("username"),
    language: language("language").notNull().default("ru"),
    referralCode: text("referral_code").notNull(),
    sourcePartnerId: bigint("source_partner_id", { mode: "number" }).references(() => partners.id),
    status: clientStatus("status").notNull().default("active"),
    mergedIntoClientId: bigint("merged_into_client_id", { mode: "number" }),
    /** Set when Telegram answered 403 (the user blocked the bot); cleared when they write again. */
    unreachableSince: timestamp("unreachable_since", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
    /**
     * After "delete my data": a one-way hash of the Telegram id, the only trace kept, so that joining again does not
     * pay the welcome bonus (or a friend's referral bonus) a second time.
     */
    erasedTelegramHash: text("erased_telegram_hash"),
  },
  (t) => [
    uniqueIndex("clients_telegram_id_key").on(t.telegramId),
    index("clients_erased_telegram_hash_idx").on(t.erasedTelegramHash),
    uniqueIndex("clients_phone_key").on(t.phone),
    uniqueIndex("clients_referral_code_key").on(t.referralCode),
    index("clients_source_partner_idx").on(t.sourcePartnerId),
    // New clients per day on the dashboard's overview.
    index("clients_created_idx").on(t.createdAt),
    check("clients_phone_e164", sql`${t.phone} IS NULL OR ${t.phone} ~ '^\\+[1-9][0-9]{7,14}$'`),
  ],
);

/**
 * The cached balance: written only in the transaction that appends the ledger row, and the
 * CHECK makes a negative balance impossible whatever the application does.
 */
export const balances = pgTable(
  "balances",
  {
    clientId: bigint("client_id", { mode: "number" })
      .primaryKey()
      .references(() => clients.id),
    points: bigint("points", { mode: "number" }).notNull().default(0),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("balances_points_non_negative", sql`${t.points} >= 0`)],
);

/** Who invited whom; one row per invitee, so a client is never rebound to another referrer. */
export const referrals = pgTable(
  "referrals",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    referrerClientId: bigint("referrer_client_id", { mode: "number" })
      .notNull()
      .references(() => clients.id),
    inviteeClientId: bigint("invitee_client_id", { mode: "number" })
      .notNull()
      .references(() => clients.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    rewardedAt: timestamp("rewarded_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("referrals_invitee_key").on(t.inviteeClientId),
    index("referrals_referrer_idx").on(t.referrerClientId),
    check("referrals_no_self", sql`${t.referrerClientId} <> ${t.inviteeClientId}`),
  ],
);
