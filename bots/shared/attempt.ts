import { DomainError, type ErrorCode } from "../../core/errors.js";
import type { BaseContext } from "./context.js";
import { domainErrorText } from "./middleware.js";

/**
 * A use-case's outcome as plain data. Conversations store what `conversation.external` returns and replay it,
 * so a refusal is returned (not thrown) to survive that round trip with its code and details intact.
 */
export type Attempt<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; details: Record<string, string | number> };

export async function attempt<T>(task: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await task() };
  } catch (err) {
    if (err instanceof DomainError) return { ok: false, code: err.code, details: err.details };
    throw err;
  }
}

export const refusalText = (t: BaseContext["t"], refusal: { code: ErrorCode; details: Record<string, string | number> }) =>
  domainErrorText(t, new DomainError(refusal.code, refusal.code, refusal.details));
