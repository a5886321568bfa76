import { DomainError } from "../errors.js";

/**
 * Normalises a phone to E.164. Russian habits are accepted: 8XXXXXXXXXX and a bare 10-digit 9XXXXXXXXX
 * both mean +7. Anything else must already carry its country code.
 */
export function normalizePhone(raw: string): string {
  const trimmed = raw.trim();
  if (trimmed.length > 32 || !/^\+?[\d\s().-]+$/.test(trimmed)) throw invalid();
  const digits = trimmed.replace(/\D/g, "");
  let e164: string;
  if (trimmed.startsWith("+")) e164 = `+${digits}`;
  else if (digits.length === 11 && digits.startsWith("8")) e164 = `+7${digits.slice(1)}`;
  else if (digits.length === 10 && digits.startsWith("9")) e164 = `+7${digits}`;
  else e164 = `+${digits}`;
  if (!/^\+[1-9]\d{7,14}$/.test(e164)) throw invalid();
  return e164;
}

const invalid = () => new DomainError("VALIDATION", "not a phone number", { field: "phone" });

/** Text a person would mean as a phone number (digits and the usual separators, at least ten digits). */
export const looksLikePhone = (text: string) => /^[+\d][\d\s()-]{6,}$/.test(text.trim()) && text.replace(/\D/g, "").length >= 10;

/** +7 999 ***-**-22: enough for a cashier to check with the client, not enough to copy. */
export const maskPhone = (phone: string | null) => (phone ? `${phone.slice(0, -7)}***-**-${phone.slice(-2)}` : "—");
