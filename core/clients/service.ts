import { createHmac } from "node:crypto";
import { and, desc, eq, isNull, lt, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx, Tx } from "../../db/client.js";
import { balances, clients, ledgerEntries, npsRatings, partners, purchases, redemptionRequests, referrals } from "../../db/schema/index.js";
import { audit } from "../audit/service.js";
import { systemClock, type Clock } from "../clock.js";
import { DomainError, isDomainError } from "../errors.js";
import { randomCode } from "../ids.js";
import { balanceOf, findEntryByKey, postEntry, runIdempotent } from "../ledger/post.js";
import { earnedPoints, tierStatus, type TierStatus } from "../ledger/tiers.js";
import { requireActiveStaff } from "../partners/access.js";
import { bindReferral } from "../referrals/service.js";
import { effectiveSettings, getNetworkSettings } from "../settings/service.js";
import { checkText, line, parseInput, textField } from "../validation.js";
import { reasonRule } from "../moderation.js";
import { normalizePhone } from "./phone.js";

export type Client = typeof clients.$inferSelect;

const telegramId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** A name from the Telegram profile: normalised; one of nothing but invisible characters is no name. */
const optionalName = z
  .string()
  .transform((raw, ctx) => {
    const checked = checkText(raw, line(1, 256));
    if (checked.ok) return checked.value;
    if (checked.problem !== "too-long") return null;
    ctx.addIssue({ code: "custom", message: "must be at most 256 characters" });
    return z.NEVER;
  })
  .optional()
  .nullable();

/** `/start` payloads: `p_<partner code>` or `r_<client referral code>`; anything else is ignored, not an error. */
export type StartAttribution = { kind: "partner"; code: string } | { kind: "referral"; code: string } | { kind: "none" };

export function parseStartPayload(payload: string | undefined | null): StartAttribution {
  const m = /^([pr])_([A-Za-z0-9_-]{1,62})$/.exec(payload?.trim() ?? "");
  if (!m) return { kind: "none" };
  return { kind: m[1] === "p" ? "partner" : "referral", code: m[2]!.toUpperCase() };
}

const registerInput = z.object({
  telegramId,
  firstName: optionalName,
  username: optionalName,
  language: z.enum(["ru", "en"]).optional(),
  phone: z.string().optional().nullable(),
  startPayload: z.string().max(64).optional().nullable(),
});

export type RegisterResult = {
  client: Client;
  /** False when this Telegram user was already registered: nothing changed. */
  created: boolean;
  welcomeBonus: number;
  sourcePartnerId: number | null;
  referrerClientId: number | null;
};

/**
 * Registers the sender of `/start` (idempotent on the Telegram id). If they share a phone a partner
 * registered them with, that row is claimed instead of creating a second one. Attribution from the
 * payload (partner or referrer) is bound on first contact only; the welcome bonus is paid once.
 */
export async function registerClient(db: DbOrTx, rawInput: z.input<typeof registerInput>, deps: ClientDeps): Promise<RegisterResult> {
  const input = parseInput(registerInput, rawInput);
  const clock = deps.clock ?? systemClock;
  const erasedHash = erasedTelegramHash(deps.appSecret, input.telegramId);
  const phone = input.phone ? normalizePhone(input.phone) : null;
  return runIdempotent(() =>
    db.transaction(async (tx) => {
      const [existing] = await tx.select().from(clients).where(eq(clients.telegramId, input.telegramId));
      if (existing) {
        return { client: existing, created: false, welcomeBonus: 0, sourcePartnerId: existing.sourcePartnerId, referrerClientId: null };
      }
      const now = clock.now();
      const attribution = parseStartPayload(input.startPayload);
      const sourcePartner = attribution.kind === "partner" ? await approvedPartnerByCode(tx, attribution.code) : undefined;

      let client: Client;
      const claimable = phone ? await phoneOnlyClient(tx, phone) : undefined;
      if (claimable) {
        [client] = (await tx
          .update(clients)
          .set({
            telegramId: input.telegramId,
            firstName: input.firstName ?? claimable.firstName,
            username: input.username ?? null,
            language: input.language ?? claimable.language,
          })
          .where(eq(clients.id, claimable.id))
          .returning()) as [Client];
      } else {
        if (phone && (await tx.select({ id: clients.id }).from(clients).where(eq(clients.phone, phone))).length > 0) {
          throw new DomainError("PHONE_TAKEN", "this phone belongs to another client");
        }
        client = await insertClient(tx, {
          telegramId: input.telegramId,
          phone,
          firstName: input.firstName ?? null,
          username: input.username ?? null,
          language: input.language ?? "ru",
          sourcePartnerId: sourcePartner?.id ?? null,
          createdAt: now,
        });
      }

      // Someone who deleted their data and comes back joins again, but the bonuses were theirs once already.
      const returning = (await tx.select({ id: clients.id }).from(clients).where(eq(clients.erasedTelegramHash, erasedHash)).limit(1)).length > 0;
      const referrerClientId = attribution.kind === "referral" && !returning ? await bindReferralQuietly(tx, client.id, attribution.code, now) : null;
      const welcomeBonus = returning ? 0 : await payWelcomeBonus(tx, client, now);
      return { client, created: true, welcomeBonus, sourcePartnerId: client.sourcePartnerId, referrerClientId };
    }),
  );
}

/** A bad referral link (one's own, or a cycle) must not stop anyone from joining: it is ignored. */
async function bindReferralQuietly(tx: Tx, inviteeClientId: number, referralCode: string, now: Date): Promise<number | null> {
  try {
    return await bindReferral(tx, { inviteeClientId, referralCode, now });
  } catch (err) {
    if (isDomainError(err, "SELF_REFERRAL")) return null;
    throw err;
  }
}

/**
 * What registering and deleting clients need besides the database: `appSecret` (APP_SECRET) keys the one-way hash
 * kept of a deleted person's Telegram id; passed in, never read from the environment here, so tests pass their own.
 */
export type ClientDeps = { appSecret: string; clock?: Clock };

/**
 * One-way: tells a returning Telegram user apart without keeping their id. An HMAC keyed with APP_SECRET, not a
 * plain hash: Telegram ids are a small space (about 10^10), so an unkeyed hash of one is reversed by trying them all.
 */
export function erasedTelegramHash(appSecret: string, telegramId: number): string {
  if (typeof appSecret !== "string" || appSecret.length < 32) throw new Error("APP_SECRET (at least 32 characters) is required to register or delete clients");
  return createHmac("sha256", appSecret).update(`telegram:${telegramId}`).digest("hex");
}

async function insertClient(tx: Tx, values: Omit<typeof clients.$inferInsert, "referralCode">): Promise<Client> {
  const [client] = await tx
    .insert(clients)
    .values({ ...values, referralCode: randomCode(8) })
    .returning();
  await tx.insert(balances).values({ clientId: client!.id, points: 0, updatedAt: values.createdAt ?? new Date() });
  return client!;
}

async function approvedPartnerByCode(tx: Tx, code: string) {
  const [p] = await tx
    .select({ id: partners.id, settings: partners.settings })
    .from(partners)
    .where(and(eq(partners.code, code), eq(partners.status, "approved")));
  return p;
}

async function phoneOnlyClient(tx: Tx, phone: string) {
  const [row] = await tx
    .select()
    .from(clients)
    .where(and(eq(clients.phone, phone), isNull(clients.telegramId), eq(clients.status, "active")))
    .for("update");
  return row;
}

/** The welcome bonus of the partner who brought the client, or the network's; once per client row. */
async function payWelcomeBonus(tx: Tx, client: Client, now: Date): Promise<number> {
  const key = `welcome:${client.id}`;
  if (await findEntryByKey(tx, key)) return 0;
  const network = await getNetworkSettings(tx);
  const [partner] = client.sourcePartnerId
    ? await tx.select({ settings: partners.settings }).from(partners).where(eq(partners.id, client.sourcePartnerId))
    : [];
  const amount = effectiveSettings(network, partner?.settings).welcomeBonus;
  if (amount <= 0) return 0;
  await postEntry(tx, {
    clientId: client.id,
    partnerId: client.sourcePartnerId,
    kind: "welcome_bonus",
    points: amount,
    idempotencyKey: key,
    actorType: "system",
    createdAt: now,
  });
  return amount;
}

const registerByPhoneInput = z.object({ partnerId: z.number().int().positive(), staffTelegramId: telegramId, phone: z.string(), firstName: optionalName });

/**
 * A cashier registers a customer who is not in the bot yet. It is one real client row (no placeholder ids);
 * when that phone's owner opens the client bot and shares the phone, they claim it with its history.
 * Idempotent on the phone: an existing client is returned as is. Only a current staff member of an approved partner may.
 */
export async function registerClientByPhone(db: DbOrTx, rawInput: z.input<typeof registerByPhoneInput>, clock: Clock = systemClock) {
  const input = parseInput(registerByPhoneInput, rawInput);
  const phone = normalizePhone(input.phone);
  return runIdempotent(() =>
    db.transaction(async (tx) => {
      await requireActiveStaff(tx, input.partnerId, input.staffTelegramId);
      const [existing] = await tx.select().from(clients).where(eq(clients.phone, phone));
      if (existing) return { client: existing, created: false };
      const client = await insertClient(tx, {
        phone,
        firstName: input.firstName ?? null,
        sourcePartnerId: input.partnerId,
        createdAt: clock.now(),
      });
      await audit(tx, { actorType: "staff", actorTelegramId: input.staffTelegramId, action: "client.register_by_phone", targetType: "client", targetId: client.id, details: { partnerId: input.partnerId } });
      return { client, created: true };
    }),
  );
}

/**
 * Stores the phone a client shared. If a cashier had registered that phone before the client opened the bot,
 * the two rows are one person: the phone-only row is merged into this one (points moved by ledger rows,
 * purchases and ratings re-pointed), so the history and the tier follow the person.
 */
export async function attachPhone(db: DbOrTx, input: { clientId: number; phone: string }, clock: Clock = systemClock) {
  const phone = normalizePhone(input.phone);
  return runIdempotent(() =>
    db.transaction(async (tx) => {
      const me = await activeClient(tx, input.clientId);
      if (me.phone === phone) return { client: me, mergedClientId: null as number | null };
      const [holder] = await tx.select().from(clients).where(eq(clients.phone, phone)).for("update");
      let mergedClientId: number | null = null;
      if (holder) {
        if (holder.telegramId !== null || holder.status !== "active") throw new DomainError("PHONE_TAKEN", "this phone belongs to another client");
        await mergeClient(tx, holder, me, clock.now());
        mergedClientId = holder.id;
      }
      const [client] = await tx.update(clients).set({ phone }).where(eq(clients.id, me.id)).returning();
      return { client: client!, mergedClientId };
    }),
  );
}

async function mergeClient(tx: Tx, from: Client, into: Client, now: Date): Promise<void> {
  const points = await balanceOf(tx, from.id, true);
  if (points > 0) {
    await postEntry(tx, { clientId: from.id, kind: "merge", points: -points, idempotencyKey: `merge-out:${from.id}`, actorType: "system", reason: `merged into client ${into.id}`, createdAt: now });
    await postEntry(tx, { clientId: into.id, kind: "merge", points, idempotencyKey: `merge-in:${from.id}`, actorType: "system", reason: `merged from client ${from.id}`, createdAt: now });
  }
  await tx.update(purchases).set({ clientId: into.id }).where(eq(purchases.clientId, from.id));
  await tx.update(npsRatings).set({ clientId: into.id }).where(eq(npsRatings.clientId, from.id));
  await tx.update(redemptionRequests).set({ status: "cancelled", decidedAt: now }).where(and(eq(redemptionRequests.clientId, from.id), eq(redemptionRequests.status, "pending")));
  // Whoever the phone-only client had invited now counts as invited by the person.
  await tx.update(referrals).set({ referrerClientId: into.id }).where(and(eq(referrals.referrerClientId, from.id), sql`${referrals.inviteeClientId} <> ${into.id}`));
  await tx
    .update(clients)
    .set({ status: "merged", mergedIntoClientId: into.id, phone: null, sourcePartnerId: from.sourcePartnerId })
    .where(eq(clients.id, from.id));
  if (into.sourcePartnerId === null && from.sourcePartnerId !== null) {
    await tx.update(clients).set({ sourcePartnerId: from.sourcePartnerId }).where(eq(clients.id, into.id));
  }
}

export async function activeClient(db: DbOrTx, clientId: number): Promise<Client> {
  const [client] = await db.select().from(clients).where(eq(clients.id, clientId));
  if (!client || client.status === "deleted" || client.status === "merged") throw new DomainError("CLIENT_NOT_FOUND", "no such client");
  if (client.status === "blocked") throw new DomainError("CLIENT_BLOCKED", "client is blocked");
  return client;
}

export type ClientLookup = { telegramId: number } | { phone: string } | { code: string } | { id: number };

/** Finds an active or blocked client by Telegram id, phone (any common format) or referral code; null if none. */
export async function findClient(db: DbOrTx, lookup: ClientLookup): Promise<Client | null> {
  let where;
  if ("telegramId" in lookup) where = eq(clients.telegramId, lookup.telegramId);
  else if ("phone" in lookup) where = eq(clients.phone, normalizePhone(lookup.phone));
  else if ("code" in lookup) {
    const code = lookup.code.trim().toUpperCase();
    if (!/^[A-Z0-9]{4,16}$/.test(code)) throw new DomainError("VALIDATION", "not a client code", { field: "code" });
    where = eq(clients.referralCode, code);
  } else where = eq(clients.id, lookup.id);
  const [client] = await db.select().from(clients).where(where);
  if (!client || client.status === "deleted" || client.status === "merged") return null;
  return client;
}

/**
 * A partner's staff member looks a client up (at the till). The same as `findClient`, but only for a current staff
 * member of an approved partner: a cashier removed while a conversation was open is refused here (FORBIDDEN).
 */
export async function findClientForStaff(db: DbOrTx, staff: { partnerId: number; staffTelegramId: number }, lookup: ClientLookup): Promise<Client | null> {
  await requireActiveStaff(db, staff.partnerId, staff.staffTelegramId);
  return findClient(db, lookup);
}

export type ClientSummary = { client: Client; balance: number } & TierStatus;

export async function clientSummary(db: DbOrTx, clientId: number, clock: Clock = systemClock): Promise<ClientSummary> {
  const client = await activeClient(db, clientId);
  const settings = await getNetworkSettings(db);
  const [balance, earned] = await Promise.all([
    balanceOf(db, clientId),
    earnedPoints(db, clientId, clock.now(), settings.tierWindowDays),
  ]);
  return { client, balance, ...tierStatus(earned, settings.tierThresholds) };
}

export type HistoryPage = {
  entries: { id: number; kind: string; points: number; balanceAfter: number; partnerName: string | null; createdAt: Date }[];
  /** Pass as `beforeId` for the next (older) page; null on the last page. */
  nextBeforeId: number | null;
};

/** A ledger row as a client's history shows it, with the partner's name (the query left-joins partners). */
export const ledgerRowColumns = {
  id: ledgerEntries.id,
  kind: ledgerEntries.kind,
  points: ledgerEntries.points,
  balanceAfter: ledgerEntries.balanceAfter,
  partnerName: partners.name,
  createdAt: ledgerEntries.createdAt,
};

/** The client's ledger, newest first, paged by id (stable under concurrent writes). */
export async function clientHistory(db: DbOrTx, input: { clientId: number; limit?: number; beforeId?: number | null }): Promise<HistoryPage> {
  const limit = Math.min(Math.max(input.limit ?? 10, 1), 50);
  const rows = await db
    .select(ledgerRowColumns)
    .from(ledgerEntries)
    .leftJoin(partners, eq(partners.id, ledgerEntries.partnerId))
    .where(and(eq(ledgerEntries.clientId, input.clientId), input.beforeId ? lt(ledgerEntries.id, input.beforeId) : undefined))
    .orderBy(desc(ledgerEntries.id))
    .limit(limit + 1);
  const entries = rows.slice(0, limit);
  return { entries, nextBeforeId: rows.length > limit ? entries[entries.length - 1]!.id : null };
}

export async function setClientLanguage(db: DbOrTx, clientId: number, language: "ru" | "en"): Promise<void> {
  await db.update(clients).set({ language }).where(eq(clients.id, clientId));
}

/**
 * "Delete my data": personal fields are erased and the remaining points forfeited by a ledger row, so the
 * ledger still sums to the (now zero) balance and the partners' reports stay whole. Idempotent.
 * Nothing that names the person is left in the database: their Telegram id, phone, name and username are
 * erased wherever they were written (see `eraseTraces`); only an HMAC of the Telegram id keyed with APP_SECRET
 * is kept, so that joining again pays no second welcome bonus. Redis is the caller's (the bot's) to clean.
 */
export async function deleteClientData(db: DbOrTx, input: { clientId: number }, deps: ClientDeps) {
  const clock = deps.clock ?? systemClock;
  return runIdempotent(() =>
    db.transaction(async (tx) => {
      const [client] = await tx.select().from(clients).where(eq(clients.id, input.clientId)).for("update");
      if (!client || client.status === "merged") throw new DomainError("CLIENT_NOT_FOUND", "no such client");
      if (client.status === "deleted") return { forfeited: 0, alreadyDeleted: true };
      const now = clock.now();
      const points = await balanceOf(tx, client.id, true);
      if (points > 0) {
        await postEntry(tx, { clientId: client.id, kind: "forfeiture", points: -points, idempotencyKey: `forfeit:${client.id}`, actorType: "client", reason: "client deleted their data", createdAt: now });
      }
      await tx
        .update(clients)
        .set({
          telegramId: null,
          phone: null,
          firstName: null,
          username: null,
          status: "deleted",
          deletedAt: now,
          unreachableSince: null,
          erasedTelegramHash: client.telegramId === null ? null : erasedTelegramHash(deps.appSecret, client.telegramId),
        })
        .where(eq(clients.id, client.id));
      await tx.update(npsRatings).set({ comment: null }).where(eq(npsRatings.clientId, client.id));
      await tx.update(redemptionRequests).set({ status: "cancelled", decidedAt: now }).where(and(eq(redemptionRequests.clientId, client.id), eq(redemptionRequests.status, "pending")));
      await eraseTraces(tx, client);
      await audit(tx, { actorType: "client", action: "client.delete_data", targetType: "client", targetId: client.id, details: { forfeited: points } });
      return { forfeited: points, alreadyDeleted: false };
    }),
  );
}

/**
 * Everything else that could name a deleted client. The ledger is append-only and holds no personal data
 * (a client's own actions carry no Telegram id). Names are erased only where they belong to this client's
 * rows (another "Иван" keeps his); the Telegram id and phone are unique, so they are erased wherever they appear.
 */
async function eraseTraces(tx: Tx, client: Client): Promise<void> {
  const id = client.id;
  // A phone-only row a cashier registered and this person claimed keeps the name the cashier typed.
  await tx.execute(sql`UPDATE clients SET first_name = NULL, username = NULL, phone = NULL WHERE merged_into_client_id = ${id}`);
  await tx.execute(sql`UPDATE broadcast_deliveries SET chat_id = NULL WHERE client_id = ${id}`);
  if (client.telegramId !== null) await tx.execute(sql`DELETE FROM user_settings WHERE telegram_id = ${client.telegramId}`);
  // Work for later addressed to the person (messages, the NPS question, a redemption question) has nobody to go to.
  await tx.execute(sql`
    DELETE FROM jobs WHERE status <> 'running' AND (
      (kind = 'notify.client' AND payload->>'clientId' = ${String(id)})
      OR (kind = 'redemption.ask-client' AND payload->>'redemptionRequestId' IN (SELECT id::text FROM redemption_requests WHERE client_id = ${id}))
      OR (kind = 'nps.ask' AND payload->>'purchaseId' IN (SELECT id::text FROM purchases WHERE client_id = ${id})))`);

  // The Telegram id and the phone as digits, wherever they stand in a job's payload or error or an audit row's details.
  const numbers: string[] = [];
  if (client.telegramId !== null) numbers.push(String(client.telegramId));
  if (client.phone) {
    const digits = client.phone.replace(/\D/g, "");
    numbers.push(`\\+?[0-9]{0,4}${digits.slice(-10)}`);
  }
  const names = [client.firstName, client.username].filter((n): n is string => typeof n === "string" && n.trim().length > 0);
  const related = sql`(payload->>'clientId' = ${String(id)}
    OR payload->>'redemptionRequestId' IN (SELECT id::text FROM redemption_requests WHERE client_id = ${id})
    OR payload->>'purchaseId' IN (SELECT id::text FROM purchases WHERE client_id = ${id})
    OR payload->>'ratingId' IN (SELECT id::text FROM nps_ratings WHERE client_id = ${id}))`;
  if (numbers.length > 0) {
    const pattern = `(?<![0-9+])(${numbers.join("|")})(?![0-9])`;
    await tx.execute(sql`
      UPDATE jobs SET payload = regexp_replace(payload::text, ${pattern}, '0', 'g')::jsonb, last_error = regexp_replace(last_error, ${pattern}, '[erased]', 'g')
      WHERE payload::text ~ ${pattern} OR last_error ~ ${pattern}`);
    await tx.execute(sql`UPDATE audit_log SET details = regexp_replace(details::text, ${pattern}, '0', 'g')::jsonb WHERE details::text ~ ${pattern}`);
  }
  if (client.telegramId !== null) await tx.execute(sql`UPDATE audit_log SET actor_telegram_id = NULL WHERE actor_type = 'client' AND actor_telegram_id = ${client.telegramId}`);
  for (const name of names) {
    // As whole JSON string values only (to_jsonb quotes and escapes the name as the payload does).
    const quoted = sql`to_jsonb(${name}::text)::text`;
    await tx.execute(sql`UPDATE jobs SET payload = replace(payload::text, ${quoted}, '"—"')::jsonb, last_error = NULL WHERE ${related} AND strpos(payload::text, ${quoted}) > 0`);
    await tx.execute(sql`
      UPDATE audit_log SET details = replace(details::text, ${quoted}, '"—"')::jsonb
      WHERE target_type = 'client' AND target_id = ${id} AND strpos(details::text, ${quoted}) > 0`);
  }
}

/** Admin: block or unblock a client (a blocked client can neither earn nor spend). */
export async function setClientBlocked(db: DbOrTx, input: { adminTelegramId: number; clientId: number; blocked: boolean; reason: string }) {
  const reason = parseInput(textField(reasonRule), input.reason);
  return db.transaction(async (tx) => {
    const [client] = await tx.select().from(clients).where(eq(clients.id, input.clientId)).for("update");
    if (!client || client.status === "deleted" || client.status === "merged") throw new DomainError("CLIENT_NOT_FOUND", "no such client");
    const status = input.blocked ? "blocked" : "active";
    if (client.status !== status) await tx.update(clients).set({ status }).where(eq(clients.id, client.id));
    await audit(tx, { actorType: "admin", actorTelegramId: input.adminTelegramId, action: input.blocked ? "client.block" : "client.unblock", targetType: "client", targetId: client.id, details: { reason } });
    return { status };
  });
}
