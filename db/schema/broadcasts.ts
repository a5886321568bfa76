import { sql } from "drizzle-orm";
import { bigint, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { clients } from "./clients.js";
import { partners } from "./partners.js";

export const broadcastStatus = pgEnum("broadcast_status", ["awaiting_approval", "sending", "done", "rejected", "cancelled"]);
export const deliveryStatus = pgEnum("delivery_status", ["pending", "sending", "sent", "unreachable", "uncertain", "failed"]);

/** Who a broadcast goes to: everyone in scope, or one segment or category of the latest analytics. */
export type Audience = { segment?: string; category?: string };

/** A message from an admin to the network (or a segment) or from a partner to its own clients. */
export const broadcasts = pgTable(
  "broadcasts",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    senderKind: text("sender_kind").$type<"admin" | "partner">().notNull(),
    partnerId: bigint("partner_id", { mode: "number" }).references(() => partners.id),
    senderTelegramId: bigint("sender_telegram_id", { mode: "number" }).notNull(),
    text: text("text").notNull(),
    /** The photo as the sender's bot knows it (file ids belong to one bot)… */
    photoFileId: text("photo_file_id"),
    /** …and as the client bot knows it, after the worker re-uploaded it once. */
    clientPhotoFileId: text("client_photo_file_id"),
    audience: jsonb("audience").$type<Audience>().notNull().default({}),
    status: broadcastStatus("status").notNull(),
    total: integer("total").notNull().default(0),
    /** Where the sender watches progress: a message in their chat that the worker edits in place. */
    progressChatId: bigint("progress_chat_id", { mode: "number" }).notNull(),
    progressMessageId: integer("progress_message_id"),
    moderationReason: text("moderation_reason"),
    /** The sender's confirmation, so a replayed confirm step finds this broadcast instead of creating another. */
    idempotencyKey: text("idempotency_key"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("broadcasts_status_idx").on(t.status, t.createdAt), uniqueIndex("broadcasts_idempotency_key").on(t.idempotencyKey)],
);

/** One recipient of one broadcast; the status makes a resumed broadcast skip whoever already got it. */
export const broadcastDeliveries = pgTable(
  "broadcast_deliveries",
  {
    broadcastId: bigint("broadcast_id", { mode: "number" })
      .notNull()
      .references(() => broadcasts.id),
    clientId: bigint("client_id", { mode: "number" })
      .notNull()
      .references(() => clients.id),
    /** Blanked when the client deletes their data (the report keeps the count, not the person). */
    chatId: bigint("chat_id", { mode: "number" }),
    status: deliveryStatus("status").notNull().default("pending"),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    error: text("error"),
  },
  (t) => [
    primaryKey({ columns: [t.broadcastId, t.clientId] }),
    index("broadcast_deliveries_pending_idx")
      .on(t.broadcastId, t.clientId)
      .where(sql`${t.status} = 'pending'`),
  ],
);
