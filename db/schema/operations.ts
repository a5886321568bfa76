import { sql } from "drizzle-orm";
import { bigint, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { language } from "./clients.js";
import { actorType } from "./ledger.js";

/** Who did what: every admin action and every partner action that changes something. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    actorType: actorType("actor_type").notNull(),
    actorTelegramId: bigint("actor_telegram_id", { mode: "number" }),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: bigint("target_id", { mode: "number" }),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("audit_time_idx").on(t.createdAt),
    index("audit_target_idx").on(t.targetType, t.targetId),
  ],
);

/** Admins granted in the database, in addition to those in ADMIN_IDS. */
export const admins = pgTable("admins", {
  telegramId: bigint("telegram_id", { mode: "number" }).primaryKey(),
  grantedBy: bigint("granted_by", { mode: "number" }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const jobStatus = pgEnum("job_status", ["pending", "running", "done", "dead"]);

/**
 * The outbox: work for later (a message to send, a question to ask in 10 minutes), written in the
 * same transaction as the change that causes it, so neither exists without the other.
 */
export const jobs = pgTable(
  "jobs",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    kind: text("kind").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    /** Optional: a second enqueue with the same key is a no-op (e.g. one NPS question per purchase). */
    dedupeKey: text("dedupe_key"),
    status: jobStatus("status").notNull().default("pending"),
    runAt: timestamp("run_at", { withTimezone: true }).notNull().defaultNow(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("jobs_dedupe_key").on(t.dedupeKey),
    index("jobs_due_idx")
      .on(t.runAt)
      .where(sql`${t.status} = 'pending'`),
    index("jobs_status_idx").on(t.status),
  ],
);

/** The network's defaults (DOMAIN.md *default* numbers), one row, edited by admins. */
export const networkSettings = pgTable("network_settings", {
  id: integer("id").primaryKey().default(1),
  settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Per Telegram user, whichever bots they use: the language they chose with /language. */
export const userSettings = pgTable("user_settings", {
  telegramId: bigint("telegram_id", { mode: "number" }).primaryKey(),
  language: language("language").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
