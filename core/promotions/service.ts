import { and, asc, desc, eq, gte, lte, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "../../db/client.js";
import { auditLog, partners, promotions } from "../../db/schema/index.js";
import { audit } from "../audit/service.js";
import { systemClock, type Clock } from "../clock.js";
import { DomainError } from "../errors.js";
import { requireActiveStaff } from "../partners/access.js";
import { line, multiline, parseInput, textField } from "../validation.js";
import { checkPromotionPeriod } from "./period.js";

export const promotionTitleRule = line(2, 100);
export const promotionBodyRule = multiline(2, 2_000);

const promotionInput = z
  .object({
    partnerId: z.number().int().positive(),
    staffTelegramId: z.number().int().positive(),
    title: textField(promotionTitleRule),
    body: textField(promotionBodyRule),
    startsAt: z.date(),
    endsAt: z.date(),
    imageFileId: z.string().max(200).optional().nullable(),
    /** Chosen by the caller (the bot: the update that started the conversation); the same key again returns the first promotion. */
    idempotencyKey: z.string().min(1).max(200).optional(),
  })
  .refine((p) => p.startsAt <= p.endsAt, { message: "must not end before it starts", path: ["endsAt"] });

/**
 * A promotion with its period (see `checkPromotionPeriod`: not ending before it starts, not in the past, at most a
 * year long, starting within a year) and an optional picture: `imageFileId` is the partner bot's file id of the
 * photo (file ids belong to one bot; the client bot gets its own copy when the picture is first shown to a client).
 * With an `idempotencyKey` (kept in the creation's audit entry), a replayed call returns the promotion it created.
 */
export async function createPromotion(db: DbOrTx, rawInput: z.input<typeof promotionInput>, clock: Clock = systemClock) {
  const input = parseInput(promotionInput, rawInput);
  const period = checkPromotionPeriod(input, clock.now());
  if (!period.ok) {
    const field = period.reason === "too-far" || (period.reason === "past" && input.endsAt >= clock.now()) ? "startsAt" : "endsAt";
    throw new DomainError("VALIDATION", `${field}: ${period.reason}`, { field });
  }
  return db.transaction(async (tx) => {
    await requireActiveStaff(tx, input.partnerId, input.staffTelegramId);
    const key = input.idempotencyKey;
    if (key) {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`promotion:${key}`}))`);
      const [previous] = await tx
        .select({ promotion: promotions })
        .from(promotions)
        .innerJoin(auditLog, and(eq(auditLog.targetType, "promotion"), eq(auditLog.targetId, promotions.id), eq(auditLog.action, "promotion.create")))
        .where(and(eq(promotions.partnerId, input.partnerId), sql`${auditLog.details}->>'idempotencyKey' = ${key}`));
      if (previous) return previous.promotion;
    }
    const [promotion] = await tx
      .insert(promotions)
      .values({ partnerId: input.partnerId, title: input.title, body: input.body, startsAt: input.startsAt, endsAt: input.endsAt, imageFileId: input.imageFileId ?? null, createdAt: clock.now() })
      .returning();
    await audit(tx, { actorType: "staff", actorTelegramId: input.staffTelegramId, action: "promotion.create", targetType: "promotion", targetId: promotion!.id, details: key ? { idempotencyKey: key } : {} });
    return promotion!;
  });
}

export async function partnerPromotions(db: DbOrTx, partnerId: number) {
  return db.select().from(promotions).where(eq(promotions.partnerId, partnerId)).orderBy(desc(promotions.startsAt));
}

/** A partner deletes one of its own promotions; another partner's is "not found". */
export async function deletePromotion(db: DbOrTx, input: { partnerId: number; staffTelegramId: number; promotionId: number }) {
  return db.transaction(async (tx) => {
    await requireActiveStaff(tx, input.partnerId, input.staffTelegramId);
    const deleted = await tx
      .delete(promotions)
      .where(and(eq(promotions.id, input.promotionId), eq(promotions.partnerId, input.partnerId)))
      .returning({ id: promotions.id, title: promotions.title });
    if (deleted.length === 0) throw new DomainError("NOT_FOUND", "no such promotion");
    await audit(tx, { actorType: "staff", actorTelegramId: input.staffTelegramId, action: "promotion.delete", targetType: "promotion", targetId: input.promotionId, details: { title: deleted[0]!.title } });
  });
}

/** What clients see: promotions running now at approved partners (not those yet to start or already over). */
export async function currentPromotions(db: DbOrTx, clock: Clock = systemClock, limit = 50) {
  const now = clock.now();
  return db
    .select({ id: promotions.id, title: promotions.title, body: promotions.body, startsAt: promotions.startsAt, endsAt: promotions.endsAt, imageFileId: promotions.imageFileId, partnerName: partners.name, partnerAddress: partners.address })
    .from(promotions)
    .innerJoin(partners, eq(partners.id, promotions.partnerId))
    .where(and(lte(promotions.startsAt, now), gte(promotions.endsAt, now), eq(partners.status, "approved")))
    .orderBy(asc(promotions.endsAt))
    .limit(limit);
}

/** The dashboard's list: one partner's promotions (`partnerId`) or every partner's (null, an admin), latest start first. */
export async function listPromotions(db: DbOrTx, input: { partnerId: number | null }) {
  return db
    .select({
      id: promotions.id,
      partnerId: promotions.partnerId,
      partnerName: partners.name,
      title: promotions.title,
      body: promotions.body,
      startsAt: promotions.startsAt,
      endsAt: promotions.endsAt,
    })
    .from(promotions)
    .innerJoin(partners, eq(partners.id, promotions.partnerId))
    .where(input.partnerId === null ? undefined : eq(promotions.partnerId, input.partnerId))
    .orderBy(desc(promotions.startsAt), desc(promotions.id))
    .limit(500); // the newest 500: a list to work through, not an archive (the CSV exports are that)
}
