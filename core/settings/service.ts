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
  /**
   * The largest welcome bonus a partner may set for the clients it brings (a partner's own welcome bonus is
   * capped by it when set and again when paid, so a cap lowered later applies at once): a large bonus would be
   * farmed by throwaway accounts and spent network-wide. For the admin bot's /settings.
   */
  maxWelcomeBonus: points.default(300),
  referralBonus: points.default(200),
  /** Points earned over `tierWindowDays` needed to reach each tier. */
  tierThresholds: z
    .object({ silver: points.default(500), gold: points.default(1_500), platinum: points.default(3_000) })
    .default({ silver: 500, gold: 1_500, platinum: 3_000 })
    .refine((t) => 0 < t.silver && t.silver < t.gold && t.gold < t.platinum, "tier thresholds must increase from bronze's 0"),
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

/**
 * The settings an admin changes one at a time (`/settings` in the admin bot): the numbers DOMAIN.md calls *default*,
 * as paths into NetworkSettings, each with the kind of number it is (how the bot asks for it and shows it).
 * Every value is read from the database where it is used (no cache), so a change is in effect at once.
 */
export const editableSettings = {
  welcomeBonus: "points",
  maxWelcomeBonus: "points",
  referralBonus: "points",
  "tierThresholds.silver": "points",
  "tierThresholds.gold": "points",
  "tierThresholds.platinum": "points",
  "ratesBp.bronze": "basisPoints",
  "ratesBp.silver": "basisPoints",
  "ratesBp.gold": "basisPoints",
  "ratesBp.platinum": "basisPoints",
  maxRedeemPercent: "percent",
  undoWindowHours: "hours",
  redemptionTtlMinutes: "minutes",
  npsDelayMinutes: "minutes",
  digestHour: "hourOfDay",
} as const satisfies Record<string, "points" | "basisPoints" | "percent" | "hours" | "minutes" | "hourOfDay">;
export type EditableSetting = keyof typeof editableSettings;
export const editableSettingKeys = Object.keys(editableSettings) as EditableSetting[];
export const isEditableSetting = (key: string): key is EditableSetting => Object.hasOwn(editableSettings, key);

/** The value of an editable setting. */
export function settingValue(settings: NetworkSettings, key: EditableSetting): number {
  const [head, tail] = key.split(".") as [string, string | undefined];
  const top = (settings as Record<string, unknown>)[head];
  return Number(tail === undefined ? top : (top as Record<string, unknown>)[tail]);
}

function withSetting(settings: NetworkSettings, key: EditableSetting, value: number): Record<string, unknown> {
  const [head, tail] = key.split(".") as [string, string | undefined];
  const top = (settings as Record<string, unknown>)[head];
  return { ...settings, [head]: tail === undefined ? value : { ...(top as Record<string, unknown>), [tail]: value } };
}

/**
 * Validates a whole settings object; a refusal is a VALIDATION DomainError whose details say why, for the bot's
 * message: `rule` "range" with `min` and `max` (in the setting's own unit), "order" (tier thresholds must rise:
 * 0 < silver < gold < platinum), or "invalid".
 */
function validSettings(candidate: unknown, field: string): NetworkSettings {
  const parsed = networkSettingsSchema.safeParse(candidate);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const details: Record<string, string | number> = { field: issue?.path.join(".") || field, rule: "invalid" };
  if (issue?.code === "too_small" || issue?.code === "too_big") {
    details.rule = "range";
    const key = issue.path.map(String).join(".");
    if (isEditableSetting(key)) Object.assign(details, settingRange(key));
  } else if (issue?.code === "custom" && issue.path[0] === "tierThresholds") details.rule = "order";
  throw new DomainError("VALIDATION", `${details.field}: ${issue?.message ?? "invalid settings"}`, details);
}

/** The bounds the schema puts on one editable number (read from the schema, so they are never written down twice). */
export function settingRange(key: EditableSetting): { min: number; max: number } {
  type Node = { unwrap?: () => Node; shape?: Record<string, Node>; minValue?: number | null; maxValue?: number | null };
  const unwrap = (n: Node): Node => (n.unwrap ? unwrap(n.unwrap()) : n);
  let node: Node = { shape: networkSettingsSchema.shape as unknown as Record<string, Node> };
  for (const part of key.split(".")) node = unwrap(node.shape![part]!);
  return { min: node.minValue ?? 0, max: node.maxValue ?? Number.MAX_SAFE_INTEGER };
}

async function writeSettings(
  db: DbOrTx,
  adminTelegramId: number,
  change: (current: NetworkSettings) => NetworkSettings,
): Promise<{ settings: NetworkSettings; changes: Record<string, { from: unknown; to: unknown }> }> {
  return db.transaction(async (tx) => {
    // One change at a time: the row is locked, so two admins editing at once cannot lose either's change.
    await tx.insert(networkSettings).values({ id: 1, settings: {} }).onConflictDoNothing();
    const [row] = await tx.select({ settings: networkSettings.settings }).from(networkSettings).where(eq(networkSettings.id, 1)).for("update");
    const current = networkSettingsSchema.parse(row?.settings ?? {});
    const next = change(current);
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const key of new Set([...Object.keys(current), ...Object.keys(next)]) as Set<keyof NetworkSettings>) {
      if (JSON.stringify(current[key]) !== JSON.stringify(next[key])) changes[key] = { from: current[key], to: next[key] };
    }
    // The same value again (a replayed step, a double press) writes nothing and is not audited twice.
    if (Object.keys(changes).length === 0) return { settings: current, changes };
    await tx.update(networkSettings).set({ settings: next, updatedAt: sql`now()` }).where(eq(networkSettings.id, 1));
    await audit(tx, { actorType: "admin", actorTelegramId: adminTelegramId, action: "settings.update", targetType: "network", details: { changes } });
    return { settings: next, changes };
  });
}

/** Changes several settings at once (validated as a whole, audited with the old and new value of each). */
export async function updateNetworkSettings(db: DbOrTx, input: { adminTelegramId: number; patch: Partial<NetworkSettings> }): Promise<NetworkSettings> {
  const { settings } = await writeSettings(db, input.adminTelegramId, (current) => validSettings({ ...current, ...input.patch }, "settings"));
  return settings;
}

/**
 * An admin changes one of the {@link editableSettings}: validated with the rest (a refusal names the rule broken),
 * audited with the old and new value, in effect at once. Setting the value it already has changes nothing.
 */
export async function changeNetworkSetting(
  db: DbOrTx,
  input: { adminTelegramId: number; setting: string; value: number },
): Promise<{ settings: NetworkSettings; from: number; to: number; changed: boolean }> {
  if (!isEditableSetting(input.setting)) throw new DomainError("VALIDATION", `${input.setting}: not an editable setting`, { field: input.setting, rule: "invalid" });
  const key = input.setting;
  if (!Number.isSafeInteger(input.value)) throw new DomainError("VALIDATION", `${key}: must be a whole number`, { field: key, rule: "invalid" });
  let from = 0;
  const { settings, changes } = await writeSettings(db, input.adminTelegramId, (current) => {
    from = settingValue(current, key);
    return validSettings(withSetting(current, key, input.value), key);
  });
  return { settings, from, to: settingValue(settings, key), changed: Object.keys(changes).length > 0 };
}

/** A partner's settings override the network's key by key. */
export type EffectiveSettings = NetworkSettings;

export function effectiveSettings(network: NetworkSettings, partner: PartnerSettings | null | undefined): EffectiveSettings {
  if (!partner) return network;
  return {
    ...network,
    welcomeBonus: partner.welcomeBonus === undefined ? network.welcomeBonus : Math.min(partner.welcomeBonus, network.maxWelcomeBonus),
    maxRedeemPercent: partner.maxRedeemPercent ?? network.maxRedeemPercent,
    ratesBp: { ...network.ratesBp, ...stripUndefined(partner.ratesBp ?? {}) },
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
