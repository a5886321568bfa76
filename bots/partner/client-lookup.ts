import { findClient, type Client } from "../../core/clients/service.js";
import { isDomainError } from "../../core/errors.js";
import type { Db } from "../../db/client.js";

/**
 * What a cashier types to find a client: a phone in any common format, the client's code, or the client's
 * invitation link (what their QR code holds). Returns null when nobody matches or the text is none of these.
 */
export async function lookUpClient(db: Db, text: string): Promise<Client | null> {
  const link = /start=r_([A-Za-z0-9]{4,16})/.exec(text);
  const raw = link ? link[1]! : text.trim();
  try {
    if (/^[+\d][\d\s()-]{6,}$/.test(raw) && raw.replace(/\D/g, "").length >= 10) return await findClient(db, { phone: raw });
    if (/^[A-Za-z0-9]{4,16}$/.test(raw)) return await findClient(db, { code: raw });
    return null;
  } catch (err) {
    if (isDomainError(err, "VALIDATION")) return null;
    throw err;
  }
}
