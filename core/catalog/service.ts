import { and, asc, desc, eq } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "../../db/client.js";
import { partners, services } from "../../db/schema/index.js";
import { audit } from "../audit/service.js";
import { systemClock, type Clock } from "../clock.js";
import { DomainError } from "../errors.js";
import { enqueue } from "../jobs/outbox.js";
import { assertPending, checkVerdict, type Verdict } from "../moderation.js";
import { requireActiveStaff } from "../partners/access.js";
import { line, multiline, parseInput, textField } from "../validation.js";

export type Service = typeof services.$inferSelect;

export const serviceNameRule = line(2, 100);
export const serviceDescriptionRule = multiline(2, 1_000);

const serviceInput = z.object({
  partnerId: z.number().int().positive(),
  staffTelegramId: z.number().int().positive(),
  name: textField(serviceNameRule),
  description: textField(serviceDescriptionRule),
  priceKopecks: z.number().int().min(0).max(1_000_000_000),
});

/** An approved partner adds a service; clients see it only after an admin approves it (admins are told at once). */
export async function submitService(db: DbOrTx, rawInput: z.input<typeof serviceInput>, clock: Clock = systemClock): Promise<Service> {
  const input = parseInput(serviceInput, rawInput);
  return db.transaction(async (tx) => {
    await requireActiveStaff(tx, input.partnerId, input.staffTelegramId);
    const now = clock.now();
    const [service] = await tx
      .insert(services)
      .values({ partnerId: input.partnerId, name: input.name, description: input.description, priceKopecks: input.priceKopecks, createdAt: now })
      .returning();
    await audit(tx, { actorType: "staff", actorTelegramId: input.staffTelegramId, action: "service.submit", targetType: "service", targetId: service!.id });
    await enqueue(tx, "notify.admins", { message: "new-service", params: { serviceId: service!.id, name: service!.name } }, { runAt: now });
    return service!;
  });
}

export async function moderateService(db: DbOrTx, input: { adminTelegramId: number; serviceId: number; verdict: Verdict }, clock: Clock = systemClock): Promise<Service> {
  const { status, reason } = checkVerdict(input.verdict);
  return db.transaction(async (tx) => {
    const [service] = await tx.select().from(services).where(eq(services.id, input.serviceId)).for("update");
    if (!service) throw new DomainError("NOT_FOUND", "no such service");
    assertPending(service.status);
    const now = clock.now();
    const [updated] = await tx
      .update(services)
      .set({ status, moderationReason: reason, moderatedBy: input.adminTelegramId, moderatedAt: now })
      .where(eq(services.id, service.id))
      .returning();
    await audit(tx, { actorType: "admin", actorTelegramId: input.adminTelegramId, action: `service.${status === "approved" ? "approve" : "reject"}`, targetType: "service", targetId: service.id, details: reason ? { reason } : {} });
    await enqueue(tx, "notify.partner", { partnerId: service.partnerId, message: `service-${status}`, params: { name: service.name, ...(reason ? { reason } : {}) } }, { runAt: now });
    return updated!;
  });
}

/** What clients see: approved services of approved partners. */
export async function networkServices(db: DbOrTx, limit = 50) {
  return db
    .select({ id: services.id, name: services.name, description: services.description, priceKopecks: services.priceKopecks, partnerName: partners.name, partnerAddress: partners.address })
    .from(services)
    .innerJoin(partners, eq(partners.id, services.partnerId))
    .where(and(eq(services.status, "approved"), eq(partners.status, "approved")))
    .orderBy(asc(partners.name), asc(services.name))
    .limit(limit);
}

export async function partnerServices(db: DbOrTx, partnerId: number) {
  return db.select().from(services).where(eq(services.partnerId, partnerId)).orderBy(desc(services.createdAt));
}

export async function pendingServices(db: DbOrTx, limit = 20) {
  return db.select().from(services).where(eq(services.status, "pending")).orderBy(asc(services.createdAt)).limit(limit);
}

/** The dashboard's list: one partner's services (`partnerId`) or every partner's (null, an admin), newest first. */
export async function listServices(db: DbOrTx, input: { partnerId: number | null; status?: "pending" | "approved" | "rejected" }) {
  return db
    .select({
      id: services.id,
      partnerId: services.partnerId,
      partnerName: partners.name,
      name: services.name,
      description: services.description,
      priceKopecks: services.priceKopecks,
      status: services.status,
      moderationReason: services.moderationReason,
      createdAt: services.createdAt,
    })
    .from(services)
    .innerJoin(partners, eq(partners.id, services.partnerId))
    .where(and(input.partnerId === null ? undefined : eq(services.partnerId, input.partnerId), input.status ? eq(services.status, input.status) : undefined))
    .orderBy(desc(services.createdAt), desc(services.id))
    .limit(500); // the newest 500: a list to work through, not an archive (the CSV exports are that)
}
