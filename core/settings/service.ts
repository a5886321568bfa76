import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "../../db/client.js";
import { networkSettings, type PartnerSettings } from "../../db/schema/index.js";
import { DomainError } from "../errors.js";
import { audit } from "../audit/service.js";

const points = z.number().int().min(0).max(1_000_000);
const rateBp = z.number().int().min(0).max(10_000);

/** DOMAIN.md's *default* numbers. Admins change them in the database; code only holds the fallbacks. */
export const networkSettingsSchema = z.object({
  welcomeBonus: points.default(100),
  referralBonus: points.default(200),
  /** Points earned over `tierWindowDays` needed to reach each tier. */
  tierThresholds: z
    .object({ silver: points.default(500), gold: points.default(1_500), platinum: points.default(3_000) })
    .default({ silver: 500, gold: 1_500, platinum: 3_000 })
    .refine((t) => t.silver < t.gold && t.gold < t.platinum, "tier thresholds must increase"),
  ratesBp: z
    .object({ bronze: rateBp.default(500), silver: rateBp.default(1_000), gold: rateBp.default(1_500), platinum: rateBp.default(2_000) })
    .default({ bronze: 500, silver: 1_000, gold: 1_500, platinum: 2_000 }),
  maxRedeemPercent: z.number().int().min(0).max(100).default(30),
  tierWindowDays: z.number().int().min(1).max(3_650).default(365),
  undoWindowHours: z.number().int().min(0).max(24 * 90).default(24),
  redemptionTtlMinutes: z.number().int().min(1).max(24 * 60).default(10),
  npsDelayMinutes: z.number().int().min(0).max(7 * 24 * 60).default(10),
  /** Local hour (Moscow) when partners and admins get yesterday's digest. */
  digestHour: z.number().int().min(0).max(23).default(9),
  /** Whether a partner's broadcast waits for an admin's approval before it is sent. */
  partnerBroadcastsNeedApproval: z.boolean().default(false),
  /** The largest check a partner may enter, in kopecks (10,000,000 ₽). */
  maxCheckKopecks: z.number().int().min(100).max(Number.MAX_SAFE_INTEGER).default(1_000_000_000),
});

export type NetworkSettings = z.infer<typeof networkSettingsSchema>;
export type Tier = keyof NetworkSettings["ratesBp"];

export const defaultNetworkSettings: NetworkSettings = networkSettingsSchema.parse({});

export async function getNetworkSettings(db: DbOrTx): Promise<NetworkSettings> {
  const [row] = await db.select({ settings: networkSettings.settings }).from(networkSettings).where(eq(networkSettings.id, 1));
  return networkSettingsSchema.parse(row?.settings ?? {});
}

export async function updateNetworkSettings(
  db: DbOrTx,
  input: { adminTelegramId: number; patch: Partial<NetworkSettings> },
): Promise<NetworkSettings> {
  return db.transaction(async (tx) => {
    const current = await getNetworkSettings(tx);
    const parsed = networkSettingsSchema.safeParse({ ...current, ...input.patch });
    if (!parsed.success) throw new DomainError("VALIDATION", parsed.error.issues[0]?.message ?? "invalid settings");
    await tx
      .insert(networkSettings)
      .values({ id: 1, settings: parsed.data })
      .onConflictDoUpdate({ target: networkSettings.id, set: { settings: parsed.data, updatedAt: sql`now()` } });
    await audit(tx, { actorType: "admin", actorTelegramId: input.adminTelegramId, action: "settings.update", targetType: "network", details: input.patch });
    return parsed.data;
  });
}

/** A partner's settings override the network's key by key. */
export type EffectiveSettings = NetworkSettings;

export function effectiveSettings(network: NetworkSettings, partner: PartnerSettings | null | undefined): EffectiveSettings {
  if (!partner) return network;
  return {
    ...network,
    welcomeBonus: partner.welcomeBonus ?? network.welcomeBonus,
    maxRedeemPercent: partner.maxRedeemPercent ?? network.maxRedeemPercent,
    ratesBp: { ...network.ratesBp, ...stripUndefined(partner.ratesBp ?? {}) },
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
