import { sql } from "drizzle-orm";
import { bigint, index, pgEnum, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { partners } from "./partners.js";

/** Who a dashboard sign-in is for: an admin (the whole network) or a partner's owner (that partner only). */
export const dashboardRole = pgEnum("dashboard_role", ["admin", "partner"]);

/**
 * A one-time sign-in link to the dashboard, sent by `/dashboard` in the admin or partner bot. Only a hash of its
 * token is kept (the link itself is in the person's Telegram chat); it works once, and only for a few minutes.
 */
export const dashboardLoginLinks = pgTable(
  "dashboard_login_links",
  {
    tokenHash: text("token_hash").primaryKey(),
    telegramId: bigint("telegram_id", { mode: "number" }).notNull(),
    role: dashboardRole("role").notNull(),
    /** The partner a partner's link signs in to; null for an admin. */
    partnerId: bigint("partner_id", { mode: "number" }).references(() => partners.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  (t) => [index("dashboard_login_links_expiry_idx").on(t.expiresAt)],
);

/**
 * A signed-in dashboard browser. The cookie holds a random token; only its hash is kept. Every request checks it is
 * not expired or revoked, and that the person is still an admin or still the partner's owner. "Log out everywhere"
 * (from the bot) revokes all of a person's sessions.
 */
export const dashboardSessions = pgTable(
  "dashboard_sessions",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tokenHash: text("token_hash").notNull().unique(),
    telegramId: bigint("telegram_id", { mode: "number" }).notNull(),
    role: dashboardRole("role").notNull(),
    partnerId: bigint("partner_id", { mode: "number" }).references(() => partners.id),
    /** Sent back in the X-CSRF-Token header with every change (the cookie alone is not enough to change anything). */
    csrfToken: text("csrf_token").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    index("dashboard_sessions_person_idx")
      .on(t.telegramId)
      .where(sql`${t.revokedAt} IS NULL`),
  ],
);
