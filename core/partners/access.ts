import { and, eq, isNull } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { partners, partnerStaff } from "../../db/schema/index.js";
import { DomainError } from "../errors.js";

export type Partner = typeof partners.$inferSelect;

export type StaffRole = (typeof partnerStaff.$inferSelect)["role"];

/**
 * The partner, if it is approved and `staffTelegramId` is on its current staff; otherwise a DomainError.
 * Every core use-case that acts for a partner's staff calls this (or `requireActiveStaffRole`) itself, inside its
 * own transaction: a bot's role check ran when a conversation started, and a cashier removed since then must be
 * refused at the next step, not served from what the conversation remembers.
 */
export async function requireActiveStaff(db: DbOrTx, partnerId: number, staffTelegramId: number): Promise<Partner> {
  return (await requireActiveStaffRole(db, partnerId, staffTelegramId)).partner;
}

/** As `requireActiveStaff`, with the staff member's role (owner or cashier). */
export async function requireActiveStaffRole(db: DbOrTx, partnerId: number, staffTelegramId: number): Promise<{ partner: Partner; role: StaffRole }> {
  const [row] = await db
    .select({ partner: partners, staffId: partnerStaff.id, role: partnerStaff.role })
    .from(partners)
    .leftJoin(
      partnerStaff,
      and(eq(partnerStaff.partnerId, partners.id), eq(partnerStaff.telegramId, staffTelegramId), isNull(partnerStaff.removedAt)),
    )
    .where(eq(partners.id, partnerId));
  if (!row) throw new DomainError("PARTNER_NOT_FOUND", "no such partner");
  if (row.partner.status !== "approved") throw new DomainError("PARTNER_NOT_ACTIVE", "partner is not active", { status: row.partner.status });
  if (row.staffId === null || row.role === null) throw new DomainError("FORBIDDEN", "not on this partner's staff");
  return { partner: row.partner, role: row.role };
}

/** The partners a Telegram user works for (the partner bot's role check), owners first. */
export async function staffMemberships(db: DbOrTx, telegramId: number) {
  return db
    .select({ partnerId: partners.id, partnerName: partners.name, partnerStatus: partners.status, role: partnerStaff.role })
    .from(partnerStaff)
    .innerJoin(partners, eq(partners.id, partnerStaff.partnerId))
    .where(and(eq(partnerStaff.telegramId, telegramId), isNull(partnerStaff.removedAt)))
    .orderBy(partnerStaff.role, partners.id);
}
