import { looksLikePhone } from "../../core/clients/phone.js";
import { findClient, type Client } from "../../core/clients/service.js";
import { isDomainError } from "../../core/errors.js";
import type { Redis } from "ioredis";
import type { Db } from "../../db/client.js";
import { clientIdForCode } from "../shared/client-codes.js";

/**
 * What a cashier types to find a client: a phone in any common format, the six-digit one-time code the client bot
 * showed them, the client's code, or their invitation link (what their QR code holds). Null when nobody matches.
 */
export async function lookUpClient(db: Db, redis: Redis, text: string): Promise<Client | null> {
  const link = /start=r_([A-Za-z0-9]{4,16})/.exec(text);
  const raw = link ? link[1]! : text.trim();
  try {
    if (/^\d{6}$/.test(raw.replace(/\s/g, ""))) {
      const id = await clientIdForCode(redis, raw.replace(/\s/g, ""));
      return id === null ? null : await findClient(db, { id });
    }
    if (looksLikePhone(raw)) return await findClient(db, { phone: raw });
    if (/^[A-Za-z0-9]{4,16}$/.test(raw)) return await findClient(db, { code: raw });
    return null;
  } catch (err) {
    if (isDomainError(err, "VALIDATION")) return null;
    throw err;
  }
}
