/**
 * Every rule the domain enforces fails with a DomainError whose `code` is stable: bots map codes
 * to localised messages (locale key `error-<code>`), tests assert on codes, logs carry them.
 */
export const errorCodes = [
  "VALIDATION",
  "NOT_FOUND",
  "FORBIDDEN",
  "CLIENT_NOT_FOUND",
  "CLIENT_BLOCKED",
  "PARTNER_NOT_FOUND",
  "PARTNER_NOT_ACTIVE",
  "INSUFFICIENT_POINTS",
  "REDEEM_CAP_EXCEEDED",
  "RECEIPT_REUSED",
  "IDEMPOTENCY_KEY_REUSED",
  "REDEMPTION_NOT_FOUND",
  "REDEMPTION_EXPIRED",
  "REDEMPTION_ALREADY_DECIDED",
  "UNDO_WINDOW_PASSED",
  "NOT_REVERSIBLE",
  "SELF_REFERRAL",
  "ALREADY_RATED",
  "ALREADY_APPLIED",
  "ALREADY_MODERATED",
  "PHONE_TAKEN",
  "WELCOME_BONUS_TOO_LARGE",
  "BROADCAST_OWNER_ONLY",
  "REDEMPTION_CODE_WRONG",
  "REDEMPTION_CODE_LOCKED",
  "REDEMPTION_SUPERSEDED",
  "REDEMPTION_CANCELLED",
  "CODE_ATTEMPTS_EXCEEDED",
  "JOB_NOT_DEAD",
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Values a localised message may show (e.g. `{ available: 40 }`); never personal data. */
    readonly details: Record<string, string | number> = {},
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const isDomainError = (err: unknown, code?: ErrorCode): err is DomainError =>
  err instanceof DomainError && (code === undefined || err.code === code);
