import { and, eq, gte, lt, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "../../db/client.js";
import { npsRatings, purchases } from "../../db/schema/index.js";
import { systemClock, type Clock } from "../clock.js";
import { DomainError } from "../errors.js";
import { enqueue } from "../jobs/outbox.js";
import { runIdempotent } from "../ledger/post.js";
import { multiline, parseInput, textField } from "../validation.js";

/** Scores at or below this may be followed by a comment the partner sees. */
export const lowScoreMax = 6;

export const ratingCommentRule = multiline(1, 1_000);

const ratingInput = z.object({ clientId: z.number().int().positive(), purchaseId: z.number().int().positive(), score: z.number().int().min(0).max(10) });

export type Rating = typeof npsRatings.$inferSelect;

/**
 * One rating per visit (purchase), by the client who made it. Pressing the same score again returns the
 * first rating; a different score for a rated visit is refused.
 */
export async function recordRating(db: DbOrTx, rawInput: z.input<typeof ratingInput>, clock: Clock = systemClock): Promise<Rating & { replayed: boolean; asksForComment: boolean }> {
  const input = parseInput(ratingInput, rawInput);
  return runIdempotent(() =>
    db.transaction(async (tx) => {
      const [purchase] = await tx.select().from(purchases).where(eq(purchases.id, input.purchaseId));
      if (!purchase || purchase.clientId !== input.clientId) throw new DomainError("NOT_FOUND", "no such visit");
      const [existing] = await tx.select().from(npsRatings).where(eq(npsRatings.purchaseId, purchase.id));
      if (existing) {
        if (existing.score !== input.score) throw new DomainError("ALREADY_RATED", "this visit is already rated", { score: existing.score });
        return { ...existing, replayed: true, asksForComment: false };
      }
      const [rating] = await tx
        .insert(npsRatings)
        .values({ purchaseId: purchase.id, clientId: input.clientId, partnerId: purchase.partnerId, score: input.score, createdAt: clock.now() })
        .returning();
      return { ...rating!, replayed: false, asksForComment: input.score <= lowScoreMax };
    }),
  );
}

/** The comment after a low score; forwarded to the partner through the outbox. Only once. */
export async function addRatingComment(db: DbOrTx, input: { clientId: number; ratingId: number; comment: string }, clock: Clock = systemClock): Promise<Rating> {
  const comment = parseInput(textField(ratingCommentRule), input.comment);
  return db.transaction(async (tx) => {
    const [rating] = await tx.select().from(npsRatings).where(eq(npsRatings.id, input.ratingId)).for("update");
    if (!rating || rating.clientId !== input.clientId) throw new DomainError("NOT_FOUND", "no such rating");
    if (rating.score > lowScoreMax) throw new DomainError("VALIDATION", "comments follow low scores only", { field: "comment" });
    if (rating.comment !== null) throw new DomainError("ALREADY_RATED", "this rating already has a comment");
    const [updated] = await tx.update(npsRatings).set({ comment }).where(eq(npsRatings.id, rating.id)).returning();
    await enqueue(tx, "nps.low-score", { ratingId: rating.id }, { runAt: clock.now(), dedupeKey: `nps-comment:${rating.id}` });
    return updated!;
  });
}

export type NpsSummary = { promoters: number; passives: number; detractors: number; total: number; nps: number | null };

/** NPS = % promoters (9–10) − % detractors (0–6), rounded; null when nobody has rated yet. */
export function npsOf(counts: { promoters: number; passives: number; detractors: number }): NpsSummary {
  const total = counts.promoters + counts.passives + counts.detractors;
  return { ...counts, total, nps: total === 0 ? null : Math.round(((counts.promoters - counts.detractors) * 100) / total) };
}

export async function partnerNps(db: DbOrTx, partnerId: number, range?: { since: Date; until: Date }): Promise<NpsSummary> {
  const [row] = await db
    .select({
      promoters: sql<string>`count(*) FILTER (WHERE ${npsRatings.score} >= 9)`,
      passives: sql<string>`count(*) FILTER (WHERE ${npsRatings.score} BETWEEN 7 AND 8)`,
      detractors: sql<string>`count(*) FILTER (WHERE ${npsRatings.score} <= ${lowScoreMax})`,
    })
    .from(npsRatings)
    .where(and(eq(npsRatings.partnerId, partnerId), range ? gte(npsRatings.createdAt, range.since) : undefined, range ? lt(npsRatings.createdAt, range.until) : undefined));
  return npsOf({ promoters: Number(row?.promoters ?? 0), passives: Number(row?.passives ?? 0), detractors: Number(row?.detractors ?? 0) });
}
