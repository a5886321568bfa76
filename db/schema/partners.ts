import { sql } from "drizzle-orm";
import { bigint, check, index, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

export const partnerStatus = pgEnum("partner_status", ["pending", "approved", "rejected", "blocked"]);
export const staffRole = pgEnum("staff_role", ["owner", "cashier"]);
export const moderationStatus = pgEnum("moderation_status", ["pending", "approved", "rejected"]);

/** A partner's own overrides of the network defaults; a missing key means "use the network's". */
export type PartnerSettings = {
  /** Cashback per tier in basis points (500 = 5 %). */
  ratesBp?: { bronze?: number; silver?: number; gold?: number; platinum?: number };
  welcomeBonus?: number;
  /** The largest share of a check payable with points, in percent. */
  maxRedeemPercent?: number;
  /** Whether cashiers may send broadcasts to the partner's clients (by default only the owner may). */
  cashiersMayBroadcast?: boolean;
};

export const partners = pgTable(
  "partners",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    name: text("name").notNull(),
    category: text("category").notNull(),
    address: text("address").notNull(),
    contactName: text("contact_name").notNull(),
    phone: text("phone").notNull(),
    /** The code in the partner's invitation link (`/start p_<code>`). */
    code: text("code").notNull(),
    status: partnerStatus("status").notNull().default("pending"),
    moderationReason: text("moderation_reason"),
    moderatedBy: bigint("moderated_by", { mode: "number" }),
    moderatedAt: timestamp("moderated_at", { withTimezone: true }),
    applicantTelegramId: bigint("applicant_telegram_id", { mode: "number" }).notNull(),
    settings: jsonb("settings").$type<PartnerSettings>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("partners_code_key").on(t.code),
    index("partners_status_idx").on(t.status, t.createdAt),
    // One open application per person: a second "apply" while one is pending is refused.
    uniqueIndex("partners_one_pending_per_applicant")
      .on(t.applicantTelegramId)
      .where(sql`${t.status} = 'pending'`),
  ],
);

export const partnerStaff = pgTable(
  "partner_staff",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    partnerId: bigint("partner_id", { mode: "number" })
      .notNull()
      .references(() => partners.id),
    telegramId: bigint("telegram_id", { mode: "number" }).notNull(),
    role: staffRole("role").notNull(),
    addedBy: bigint("added_by", { mode: "number" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    removedAt: timestamp("removed_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("partner_staff_active_key")
      .on(t.partnerId, t.telegramId)
      .where(sql`${t.removedAt} IS NULL`),
    index("partner_staff_telegram_idx").on(t.telegramId),
  ],
);

export const services = pgTable(
  "services",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    partnerId: bigint("partner_id", { mode: "number" })
      .notNull()
      .references(() => partners.id),
    name: text("name").notNull(),
    description: text("description").notNull(),
    priceKopecks: bigint("price_kopecks", { mode: "number" }).notNull(),
    status: moderationStatus("status").notNull().default("pending"),
    moderationReason: text("moderation_reason"),
    moderatedBy: bigint("moderated_by", { mode: "number" }),
    moderatedAt: timestamp("moderated_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("services_partner_idx").on(t.partnerId, t.createdAt),
    index("services_status_idx").on(t.status, t.createdAt),
    check("services_price_non_negative", sql`${t.priceKopecks} >= 0`),
  ],
);

export const promotions = pgTable(
  "promotions",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    partnerId: bigint("partner_id", { mode: "number" })
      .notNull()
      .references(() => partners.id),
    title: text("title").notNull(),
    body: text("body").notNull(),
    startsAt: timestamp("starts_at", { withTimezone: true }).notNull(),
    endsAt: timestamp("ends_at", { withTimezone: true }).notNull(),
    /** Telegram file_id of the picture, if any. */
    imageFileId: text("image_file_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("promotions_partner_idx").on(t.partnerId),
    index("promotions_period_idx").on(t.endsAt, t.startsAt),
    check("promotions_period_order", sql`${t.startsAt} <= ${t.endsAt}`),
  ],
);
