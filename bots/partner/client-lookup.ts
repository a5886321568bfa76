import type { Redis } from "ioredis";
import { looksLikePhone } from "../../core/clients/phone.js";
import { findClientForStaff, type Client } from "../../core/clients/service.js";
import { isDomainError } from "../../core/errors.js";
import type { Db } from "../../db/client.js";
import { clientIdForCode } from "../../core/clients/codes.js";

/**
 * Lookups one staff member may make per window. A till finds a few clients a minute; going through phone numbers
 * to collect who is in the network is what this stops.
 */
export const staffLookupLimit = { max: 30, windowSeconds: 10 * 60 } as const;

const lookupsKey = (staffTelegramId: number) => `lookups:staff:${staffTelegramId}`;

/**
 * Counts one lookup by this staff member (fixed window in Redis). Null while within the limit; over it, the whole
 * minutes until the window ends.
 */
export async function takeLookup(redis: Redis, staffTelegramId: number, limit: { max: number; windowSeconds: number } = staffLookupLimit): Promise<number | null> {
  const key = lookupsKey(staffTelegramId);
  // One MULTI: the window's expiry is set with the first count, and nothing can expire the key in between.
  const replies = await redis.multi().set(key, "0", "EX", limit.windowSeconds, "NX").incr(key).ttl(key).exec();
  const count = Number(replies?.[1]?.[1]);
  if (count <= limit.max) return null;
  const ttl = Number(replies?.[2]?.[1]);
  return Math.max(1, Math.ceil((ttl > 0 ? ttl : limit.windowSeconds) / 60));
}

export type LookupOutcome = { kind: "found"; client: Client } | { kind: "none" } | { kind: "limited"; minutes: number };

/**
 * What a cashier types to find a client: a phone in any common format, the six-digit one-time code the client bot
 * showed them, the client's code, or their invitation link (what their QR code holds). Rate-limited per staff
 * member; the core refuses a staff member who is no longer on the partner's staff (FORBIDDEN, thrown).
 */
export async function lookUpClient(db: Db, redis: Redis, staff: { partnerId: number; staffTelegramId: number }, text: string): Promise<LookupOutcome> {
  const link = /start=r_([A-Za-z0-9]{4,16})/.exec(text);
  const raw = link ? link[1]! : text.trim();
  const digits = raw.replace(/\s/g, "");
  const lookup = /^\d{6}$/.test(digits) ? "code" : looksLikePhone(raw) ? "phone" : /^[A-Za-z0-9]{4,16}$/.test(raw) ? "client-code" : null;
  if (lookup === null) return { kind: "none" };
  const minutes = await takeLookup(redis, staff.staffTelegramId);
  if (minutes !== null) return { kind: "limited", minutes };
  try {
    let client: Client | null;
    if (lookup === "code") {
      const id = await clientIdForCode(redis, digits);
      // Still asks the core with no client, so a removed cashier is refused here too.
      client = await findClientForStaff(db, staff, { id: id ?? 0 });
    } else if (lookup === "phone") client = await findClientForStaff(db, staff, { phone: raw });
    else client = await findClientForStaff(db, staff, { code: raw });
    return client ? { kind: "found", client } : { kind: "none" };
  } catch (err) {
    if (isDomainError(err, "VALIDATION")) return { kind: "none" };
    throw err;
  }
}

/** "Иван" → "Ив***": enough for the cashier to check with the person at the till, not enough to collect names. */
export function maskName(name: string | null): string {
  const chars = [...(name ?? "").trim()];
  if (chars.length === 0) return "—";
  return `${chars.slice(0, chars.length > 2 ? 2 : 1).join("")}***`;
}
