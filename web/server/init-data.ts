import { timingSafeEqual } from "node:crypto";
import { signData } from "@telegram-apps/init-data-node";
import { z } from "zod";

/**
 * Telegram Mini App `initData`: the query string Telegram hands the page, signed with the bot's token
 * (HMAC-SHA256 of the sorted `key=value` lines, keyed by HMAC("WebAppData", token)). The server trusts who the user
 * is only through it.
 *
 * Why not the library's `validate`: it compares the hash with `!==`, which leaks through timing how much of a forged
 * hash is right, and it reads the time from `Date.now()` instead of our clock. So the data-check string is built here
 * the same way, signed with the library's `signData`, and compared with `timingSafeEqual`. (Its `parse` is not used
 * either: its types promise camelCase keys while it returns Telegram's snake_case; the one field needed is checked
 * with zod below.)
 */

export type InitDataUser = { id: number; firstName: string; username?: string; languageCode?: string };
export type InitDataCheck =
  | { ok: true; user: InitDataUser; authDate: Date }
  | { ok: false; code: "INIT_DATA_INVALID" | "INIT_DATA_EXPIRED"; reason: string };

/** Accepted clock skew for an `auth_date` in the future (the phone's and Telegram's clocks disagree a little). */
const maxFutureSkewSeconds = 60;

export function checkInitData(raw: string, options: { botToken: string; maxAgeSeconds: number; now: Date }): InitDataCheck {
  const invalid = (reason: string): InitDataCheck => ({ ok: false, code: "INIT_DATA_INVALID", reason });
  if (raw.length === 0 || raw.length > 8_192) return invalid("missing or too long");
  const params = new URLSearchParams(raw);
  const hash = params.get("hash");
  if (hash === null || !/^[0-9a-f]{64}$/.test(hash)) return invalid("no hash");
  const lines: string[] = [];
  // Every field but the hash, as Telegram signs them (`signature`, the third-party one, included).
  params.forEach((value, key) => {
    if (key !== "hash") lines.push(`${key}=${value}`);
  });
  lines.sort();
  const expected = Buffer.from(signData(lines.join("\n"), options.botToken), "hex");
  // Both are 32 bytes here (the hash was checked to be 64 hex digits), as timingSafeEqual requires.
  if (!timingSafeEqual(expected, Buffer.from(hash, "hex"))) return invalid("hash does not match");

  // Signed by our bot: now its contents are trusted, and checked for age and shape.
  const authDateSeconds = Number(params.get("auth_date"));
  if (!Number.isSafeInteger(authDateSeconds) || authDateSeconds <= 0) return invalid("no auth_date");
  const ageSeconds = options.now.getTime() / 1000 - authDateSeconds;
  if (ageSeconds > options.maxAgeSeconds) return { ok: false, code: "INIT_DATA_EXPIRED", reason: `signed ${Math.round(ageSeconds)} s ago` };
  if (ageSeconds < -maxFutureSkewSeconds) return invalid("auth_date in the future");
  const user = userField.safeParse(jsonOrNull(params.get("user")));
  if (!user.success) return invalid("no user");
  const { id, first_name: firstName, username, language_code: languageCode } = user.data;
  return {
    ok: true,
    authDate: new Date(authDateSeconds * 1000),
    user: { id, firstName, ...(username !== undefined && { username }), ...(languageCode !== undefined && { languageCode }) },
  };
}

/** The `user` field (a JSON object, as Telegram sends it): only what the server uses, checked. */
const userField = z.object({
  id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  first_name: z.string(),
  username: z.string().optional(),
  language_code: z.string().optional(),
});

function jsonOrNull(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
