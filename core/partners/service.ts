import { and, asc, desc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "../../db/client.js";
import { partners, partnerStaff, type PartnerSettings } from "../../db/schema/index.js";
import { audit } from "../audit/service.js";
import { systemClock, type Clock } from "../clock.js";
import { normalizePhone } from "../clients/phone.js";
import { DomainError } from "../errors.js";
import { randomCode } from "../ids.js";
import { enqueue } from "../jobs/outbox.js";
import { assertPending, checkVerdict, type Verdict } from "../moderation.js";
import { runIdempotent } from "../ledger/post.js";
import { getNetworkSettings } from "../settings/service.js";
import { line, parseInput, textField } from "../validation.js";
import { reasonRule } from "../moderation.js";
import { requireActiveStaffRole, type Partner } from "./access.js";

export type PartnerStatus = Partner["status"];

/** What an applicant types; the partner bot asks with the same rules. */
export const applicationRules = { name: line(2, 100), category: line(2, 60), address: line(5, 200), contactName: line(2, 100) } as const;

const applicationInput = z.object({
  telegramId: z.number().int().positive(),
  name: textField(applicationRules.name),
  category: textField(applicationRules.category),
  address: textField(applicationRules.address),
  contactName: textField(applicationRules.contactName),
  phone: z.string(),
});

/**
 * A business applies to join. The applicant becomes the owner once approved; admins are told at once
 * (outbox, same transaction). One pending application per person: a second one is refused.
 */
export async function submitApplication(db: DbOrTx, rawInput: z.input<typeof applicationInput>, clock: Clock = systemClock): Promise<Partner> {
  const input = parseInput(applicationInput, rawInput);
  const phone = normalizePhone(input.phone);
  return runIdempotent(() =>
    db.transaction(async (tx) => {
      const [pending] = await tx
        .select({ id: partners.id })
        .from(partners)
        .where(and(eq(partners.applicantTelegramId, input.telegramId), eq(partners.status, "pending")));
      if (pending) throw new DomainError("ALREADY_APPLIED", "an application is already waiting for review");
      const now = clock.now();
      const [partner] = await tx
        .insert(partners)
        .values({ name: input.name, category: input.category, address: input.address, contactName: input.contactName, phone, code: randomCode(8), applicantTelegramId: input.telegramId, createdAt: now })
        .returning();
      await tx.insert(partnerStaff).values({ partnerId: partner!.id, telegramId: input.telegramId, role: "owner", createdAt: now });
      await audit(tx, { actorType: "staff", actorTelegramId: input.telegramId, action: "partner.apply", targetType: "partner", targetId: partner!.id });
      await enqueue(tx, "notify.admins", { message: "new-partner-application", params: { partnerId: partner!.id, name: partner!.name } }, { runAt: now });
      return partner!;
    }),
  );
}

/** Admin: approve or reject (with a reason) a pending application; the applicant is told either way. */
export async function moderateApplication(db: DbOrTx, input: { adminTelegramId: number; partnerId: number; verdict: Verdict }, clock: Clock = systemClock): Promise<Partner> {
  const { status, reason } = checkVerdict(input.verdict);
  return db.transaction(async (tx) => {
    const [partner] = await tx.select().from(partners).where(eq(partners.id, input.partnerId)).for("update");
    if (!partner) throw new DomainError("PARTNER_NOT_FOUND", "no such partner");
    assertPending(partner.status);
    const now = clock.now();
    const [updated] = await tx
      .update(partners)
      .set({ status, moderationReason: reason, moderatedBy: input.adminTelegramId, moderatedAt: now })
      .where(eq(partners.id, partner.id))
      .returning();
    await audit(tx, { actorType: "admin", actorTelegramId: input.adminTelegramId, action: `partner.${status === "approved" ? "approve" : "reject"}`, targetType: "partner", targetId: partner.id, details: reason ? { reason } : {} });
    await enqueue(tx, "notify.partner", { partnerId: partner.id, message: `application-${status}`, params: reason ? { reason } : {} }, { runAt: now });
    return updated!;
  });
}

/** Admin: block (nobody on its staff can accrue or redeem) or unblock an approved partner. */
export async function setPartnerBlocked(db: DbOrTx, input: { adminTelegramId: number; partnerId: number; blocked: boolean; reason: string }) {
  const reason = parseInput(textField(reasonRule), input.reason);
  return db.transaction(async (tx) => {
    const [partner] = await tx.select().from(partners).where(eq(partners.id, input.partnerId)).for("update");
    if (!partner) throw new DomainError("PARTNER_NOT_FOUND", "no such partner");
    const from = input.blocked ? "approved" : "blocked";
    const to = input.blocked ? "blocked" : "approved";
    if (partner.status !== from && partner.status !== to) throw new DomainError("PARTNER_NOT_ACTIVE", "only an approved partner can be blocked", { status: partner.status });
    if (partner.status === from) await tx.update(partners).set({ status: to }).where(eq(partners.id, partner.id));
    await audit(tx, { actorType: "admin", actorTelegramId: input.adminTelegramId, action: input.blocked ? "partner.block" : "partner.unblock", targetType: "partner", targetId: partner.id, details: { reason } });
    return { status: to };
  });
}

export async function pendingApplications(db: DbOrTx, limit = 20) {
  return db.select().from(partners).where(eq(partners.status, "pending")).orderBy(asc(partners.createdAt)).limit(limit);
}

/** Every partner (or those with one status), newest first: the dashboard's partners and applications page. */
export async function listPartners(db: DbOrTx, input: { status?: PartnerStatus } = {}): Promise<Partner[]> {
  return db
    .select()
    .from(partners)
    .where(input.status ? eq(partners.status, input.status) : undefined)
    .orderBy(desc(partners.createdAt), desc(partners.id))
    .limit(500); // the newest 500: a list to work through, not an archive (the CSV exports are that)
}

export async function findPartner(db: DbOrTx, lookup: { id: number } | { code: string }) {
  const [p] = await db
    .select()
    .from(partners)
    .where("id" in lookup ? eq(partners.id, lookup.id) : eq(partners.code, lookup.code.trim().toUpperCase()));
  return p ?? null;
}

const rateBp = z.number().int().min(0).max(5_000);
const settingsInput = z
  .object({
    ratesBp: z.object({ bronze: rateBp, silver: rateBp, gold: rateBp, platinum: rateBp }).partial().optional(),
    welcomeBonus: z.number().int().min(0).max(10_000).optional(),
    maxRedeemPercent: z.number().int().min(0).max(100).optional(),
    cashiersMayBroadcast: z.boolean().optional(),
  })
  .strict();

/**
 * The owner changes the partner's own rates, welcome bonus, redeem cap, or whether cashiers may send broadcasts;
 * unset keys keep the network's. The welcome bonus may not exceed the network's `maxWelcomeBonus`.
 */
export async function updatePartnerSettings(db: DbOrTx, input: { partnerId: number; staffTelegramId: number; patch: PartnerSettings }): Promise<PartnerSettings> {
  const patch = parseInput(settingsInput, input.patch);
  return db.transaction(async (tx) => {
    const partner = await requireOwner(tx, input.partnerId, input.staffTelegramId);
    if (patch.welcomeBonus !== undefined) {
      const { maxWelcomeBonus } = await getNetworkSettings(tx);
      if (patch.welcomeBonus > maxWelcomeBonus) throw new DomainError("WELCOME_BONUS_TOO_LARGE", "welcome bonus above the network's cap", { max: maxWelcomeBonus });
    }
    const settings: PartnerSettings = { ...partner.settings, ...patch, ratesBp: { ...partner.settings.ratesBp, ...patch.ratesBp } };
    await tx.update(partners).set({ settings }).where(eq(partners.id, partner.id));
    await audit(tx, { actorType: "staff", actorTelegramId: input.staffTelegramId, action: "partner.settings", targetType: "partner", targetId: partner.id, details: patch });
    return settings;
  });
}

async function requireOwner(db: DbOrTx, partnerId: number, telegramId: number): Promise<Partner> {
  const { partner, role } = await requireActiveStaffRole(db, partnerId, telegramId);
  if (role !== "owner") throw new DomainError("FORBIDDEN", "only the owner can do this");
  return partner;
}

/** The owner adds a cashier (the bot's one-time invite link resolves to this). Idempotent. */
export async function addStaff(db: DbOrTx, input: { partnerId: number; ownerTelegramId: number; telegramId: number }, clock: Clock = systemClock) {
  return runIdempotent(() =>
    db.transaction(async (tx) => {
      await requireOwner(tx, input.partnerId, input.ownerTelegramId);
      const [existing] = await tx
        .select()
        .from(partnerStaff)
        .where(and(eq(partnerStaff.partnerId, input.partnerId), eq(partnerStaff.telegramId, input.telegramId), isNull(partnerStaff.removedAt)));
      if (existing) return existing;
      const [row] = await tx.insert(partnerStaff).values({ partnerId: input.partnerId, telegramId: input.telegramId, role: "cashier", addedBy: input.ownerTelegramId, createdAt: clock.now() }).returning();
      await audit(tx, { actorType: "staff", actorTelegramId: input.ownerTelegramId, action: "staff.add", targetType: "partner", targetId: input.partnerId, details: { telegramId: input.telegramId } });
      return row!;
    }),
  );
}

/** The owner removes a cashier; an owner cannot remove themself. */
export async function removeStaff(db: DbOrTx, input: { partnerId: number; ownerTelegramId: number; telegramId: number }, clock: Clock = systemClock) {
  return db.transaction(async (tx) => {
    await requireOwner(tx, input.partnerId, input.ownerTelegramId);
    if (input.telegramId === input.ownerTelegramId) throw new DomainError("FORBIDDEN", "the owner cannot remove themself");
    const removed = await tx
      .update(partnerStaff)
      .set({ removedAt: clock.now() })
      .where(and(eq(partnerStaff.partnerId, input.partnerId), eq(partnerStaff.telegramId, input.telegramId), isNull(partnerStaff.removedAt)))
      .returning({ id: partnerStaff.id });
    if (removed.length === 0) throw new DomainError("NOT_FOUND", "no such staff member");
    await audit(tx, { actorType: "staff", actorTelegramId: input.ownerTelegramId, action: "staff.remove", targetType: "partner", targetId: input.partnerId, details: { telegramId: input.telegramId } });
  });
}

export async function listStaff(db: DbOrTx, partnerId: number) {
  return db
    .select()
    .from(partnerStaff)
    .where(and(eq(partnerStaff.partnerId, partnerId), isNull(partnerStaff.removedAt)))
    .orderBy(partnerStaff.role, partnerStaff.id);
}
