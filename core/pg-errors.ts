import { errorChain } from "../db/errors.js";

/** The fields postgres.js puts on a server error; drizzle may wrap it in `cause`. */
type PgError = { code: string; constraint_name?: string };

export function pgErrorOf(err: unknown): PgError | undefined {
  for (const e of errorChain(err)) {
    if (typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) return e as PgError;
  }
  return undefined;
}

export const isUniqueViolation = (err: unknown, constraint?: string) => {
  const pg = pgErrorOf(err);
  return pg?.code === "23505" && (constraint === undefined || pg.constraint_name === constraint);
};

export const isCheckViolation = (err: unknown, constraint?: string) => {
  const pg = pgErrorOf(err);
  return pg?.code === "23514" && (constraint === undefined || pg.constraint_name === constraint);
};

/** Deadlock or serialization failure: the transaction did nothing and may simply run again. */
export const isRetryableConflict = (err: unknown) => {
  const code = pgErrorOf(err)?.code;
  return code === "40P01" || code === "40001";
};
