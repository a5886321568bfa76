import { sql } from "drizzle-orm";
import { bigint, check, index, integer, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { clients } from "./clients.js";
import { purchases } from "./ledger.js";
import { partners } from "./partners.js";

/** One rating per purchase (visit): "how likely are you to recommend <partner>?" 0–10. */
export const npsRatings = pgTable(
  "nps_ratings",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    purchaseId: bigint("purchase_id", { mode: "number" })
      .notNull()
      .references(() => purchases.id),
    clientId: bigint("client_id", { mode: "number" })
      .notNull()
      .references(() => clients.id),
    partnerId: bigint("partner_id", { mode: "number" })
      .notNull()
      .references(() => partners.id),
    score: integer("score").notNull(),
    comment: text("comment"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("nps_purchase_key").on(t.purchaseId),
    index("nps_partner_time_idx").on(t.partnerId, t.createdAt),
    check("nps_score_range", sql`${t.score} BETWEEN 0 AND 10`),
  ],
);
