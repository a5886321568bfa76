import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import { at, type DbOrTx } from "../db/client.js";
import { clients, partners, partnerStaff, userSettings } from "../db/schema/index.js";
import { systemClock, type Clock } from "../core/clock.js";
import { tierFor } from "../core/ledger/tiers.js";
import { getNetworkSettings, type Tier } from "../core/settings/service.js";
import { allAdminIds, isLanguage, type Language } from "../core/users/service.js";
import { demoStaff } from "./demo-data.js";
import { sandboxAdmin } from "./settings.js";
import type { Persona } from "./web-chat/protocol.js";

export type { Persona, PersonaRole } from "./web-chat/protocol.js";

/**
 * Everyone the web chat offers to play, read from the database so that people who joined while playing appear too:
 * the admins, then every partner's owners and cashiers, then every client with a Telegram id, then people whose
 * partner application is pending (or was rejected). A person with two roles (a cashier who is also a client) is
 * listed once per bot they use.
 */
export async function listPersonas(db: DbOrTx, adminIds: readonly number[], clock: Clock = systemClock): Promise<Persona[]> {
  const admins = await adminPersonas(db, adminIds);
  const staff = await staffPersonas(db);
  const staffIds = new Set(staff.map((p) => p.telegramId));
  return [
    ...admins,
    ...staff.filter((p) => p.role === "owner"),
    ...staff.filter((p) => p.role === "cashier"),
    ...(await clientPersonas(db, clock)),
    ...(await applicantPersonas(db)).filter((p) => !staffIds.has(p.telegramId)),
  ];
}

const demoStaffById = new Map(demoStaff.map((p) => [p.telegramId, p]));

/** "Ольга Смирнова" → first and last name, as Telegram would show them. */
function splitName(full: string): { firstName: string; lastName?: string } {
  const [first, ...rest] = full.trim().split(/\s+/);
  return rest.length > 0 ? { firstName: first!, lastName: rest.join(" ") } : { firstName: first || full };
}

const languageOr = (chosen: unknown, fallback: Language): Language => (isLanguage(chosen) ? chosen : fallback);

async function adminPersonas(db: DbOrTx, configured: readonly number[]): Promise<Persona[]> {
  const ids = await allAdminIds(db, configured);
  if (ids.length === 0) return [];
  const chosen = new Map((await db.select().from(userSettings).where(inArray(userSettings.telegramId, ids))).map((r) => [r.telegramId, r.language]));
  return ids.map((telegramId) => {
    const known = telegramId === sandboxAdmin.id ? sandboxAdmin : undefined;
    return {
      telegramId,
      firstName: known?.firstName ?? "Admin",
      lastName: known?.lastName ?? String(telegramId),
      languageCode: languageOr(chosen.get(telegramId), known?.languageCode ?? "ru"),
      role: "admin",
      bot: "admin",
      detail: "network admin",
    };
  });
}

/**
 * Staff of approved (and blocked) partners, one persona per person: an owner anywhere is an owner, and the detail
 * names every partner they work for. Staff rows keep no names: an owner's is the contact name of their
 * application, a demo cashier's comes from the demo cast, anyone else's from their client row if they have one.
 */
async function staffPersonas(db: DbOrTx): Promise<Persona[]> {
  const rows = await db
    .select({
      telegramId: partnerStaff.telegramId,
      role: partnerStaff.role,
      partnerName: partners.name,
      partnerStatus: partners.status,
      applicantTelegramId: partners.applicantTelegramId,
      contactName: partners.contactName,
      partnerPhone: partners.phone,
      language: userSettings.language,
      clientName: clients.firstName,
    })
    .from(partnerStaff)
    .innerJoin(partners, eq(partners.id, partnerStaff.partnerId))
    .leftJoin(userSettings, eq(userSettings.telegramId, partnerStaff.telegramId))
    .leftJoin(clients, eq(clients.telegramId, partnerStaff.telegramId))
    .where(and(isNull(partnerStaff.removedAt), inArray(partners.status, ["approved", "blocked"])))
    .orderBy(asc(partners.id), asc(partnerStaff.id));

  const byPerson = new Map<number, Persona & { memberships: string[] }>();
  for (const r of rows) {
    const membership = `${r.partnerName} · ${r.role}${r.partnerStatus === "blocked" ? " (blocked)" : ""}`;
    const isApplicant = r.role === "owner" && r.applicantTelegramId === r.telegramId;
    const person = byPerson.get(r.telegramId);
    if (person) {
      person.memberships.push(membership);
      if (r.role === "owner") person.role = "owner";
      if (isApplicant && !person.phone) person.phone = r.partnerPhone;
      continue;
    }
    const demo = demoStaffById.get(r.telegramId);
    const name = demo ?? (isApplicant ? splitName(r.contactName) : r.clientName ? { firstName: r.clientName } : { firstName: r.role === "owner" ? "Owner" : "Cashier", lastName: String(r.telegramId) });
    byPerson.set(r.telegramId, {
      telegramId: r.telegramId,
      firstName: name.firstName,
      ...(name.lastName ? { lastName: name.lastName } : {}),
      languageCode: languageOr(r.language, demo?.languageCode ?? "ru"),
      role: r.role,
      bot: "partner",
      ...(isApplicant ? { phone: r.partnerPhone } : {}),
      memberships: [membership],
    });
  }
  return [...byPerson.values()].map(({ memberships, ...persona }) => ({ ...persona, detail: memberships.join(", ") }));
}

const tierLabel: Record<Tier, string> = { bronze: "Bronze", silver: "Silver", gold: "Gold", platinum: "Platinum" };
const points = new Intl.NumberFormat("ru-RU");

/**
 * Every client who has a Telegram id (a phone-only client a cashier registered cannot be played until they open
 * the bot), with their tier and balance. The tier is earned by checks in the network's tier window, as in
 * core/ledger/tiers.ts; here for all clients in one query.
 */
async function clientPersonas(db: DbOrTx, clock: Clock): Promise<Persona[]> {
  const settings = await getNetworkSettings(db);
  const rows = await db.execute<{ telegram_id: string; first_name: string | null; username: string | null; language: string; phone: string | null; status: string; balance: string; earned: string }>(sql`
    SELECT c.telegram_id, c.first_name, c.username, c.language, c.phone, c.status, b.points AS balance, COALESCE(e.earned, 0) AS earned
    FROM clients c
    JOIN balances b ON b.client_id = c.id
    LEFT JOIN (
      SELECT client_id, sum(points_accrued) AS earned FROM purchases
      WHERE cancelled_at IS NULL AND created_at > ${at(clock.now())} - make_interval(days => ${settings.tierWindowDays})
      GROUP BY client_id) e ON e.client_id = c.id
    WHERE c.telegram_id IS NOT NULL AND c.status IN ('active', 'blocked')
    ORDER BY c.telegram_id`);
  return rows.map((r) => {
    const telegramId = Number(r.telegram_id);
    const tier = tierLabel[tierFor(Number(r.earned), settings.tierThresholds)];
    return {
      telegramId,
      firstName: r.first_name ?? r.username ?? `Client ${telegramId}`,
      languageCode: languageOr(r.language, "ru"),
      role: "client",
      bot: "client",
      ...(r.phone ? { phone: r.phone } : {}),
      detail: `${r.status === "blocked" ? "blocked · " : ""}${tier} · ${points.format(Number(r.balance))} pts`,
    } satisfies Persona;
  });
}

/** People whose latest application is pending or was rejected (they may apply again), each once. */
async function applicantPersonas(db: DbOrTx): Promise<Persona[]> {
  const rows = await db
    .select({ telegramId: partners.applicantTelegramId, name: partners.name, status: partners.status, contactName: partners.contactName, phone: partners.phone, language: userSettings.language })
    .from(partners)
    .leftJoin(userSettings, eq(userSettings.telegramId, partners.applicantTelegramId))
    .orderBy(asc(partners.id));
  const latest = new Map<number, (typeof rows)[number]>();
  for (const r of rows) {
    latest.delete(r.telegramId); // re-inserted below, so the order is that of each person's latest application
    latest.set(r.telegramId, r);
  }
  return [...latest.values()]
    .filter((r) => r.status === "pending" || r.status === "rejected")
    .map((r) => ({
      telegramId: r.telegramId,
      ...splitName(r.contactName),
      languageCode: languageOr(r.language, "ru"),
      role: "applicant",
      bot: "partner",
      phone: r.phone,
      detail: `${r.name} · ${r.status === "pending" ? "application pending" : "rejected"}`,
    }));
}
