import { postgresConnectionCodes, socketFailureCodes } from "../db/client.js";
import { errorChain } from "../db/errors.js";
import { pgErrorOf } from "./pg-errors.js";

/** The server's SQLSTATEs for "not now": admin shutdown, crash shutdown, cannot connect now (starting up, recovering). */
const postgresShutdownStates = new Set(["57P01", "57P02", "57P03"]);

/** ioredis's fail-fast refusals (createRedis in core/runtime.ts: no offline queue, no per-command retries, a command timeout). */
const redisRefusal = /Command timed out|Stream isn't writeable|Connection is closed|MaxRetriesPerRequest/i;

/**
 * Which backing service an error says is unreachable ("postgres" or "redis": refused, reset, timed out, shutting
 * down), or undefined for any other error (a bug, a constraint, bad input).
 */
export function unavailableService(err: unknown): "postgres" | "redis" | undefined {
  if (postgresUnavailable(err)) return "postgres";
  if (err instanceof Error && (err.name === "MaxRetriesPerRequestError" || redisRefusal.test(err.message))) return "redis";
  return undefined;
}

function postgresUnavailable(err: unknown): boolean {
  const state = pgErrorOf(err)?.code;
  if (state !== undefined && (postgresShutdownStates.has(state) || state.startsWith("08"))) return true;
  // A socket code alone could be any client's (a fetch to Telegram wraps one in `cause` too): it counts only on or
  // under an error that came from a query: drizzle's DrizzleQueryError, or postgres.js's own, which it gives a
  // `query` property (the query's text, undefined when the query never reached the server, as a refused BEGIN).
  let fromQuery = false;
  for (const e of errorChain(err)) {
    const { code } = e;
    fromQuery ||= "query" in e;
    if (typeof code === "string" && (postgresConnectionCodes.has(code) || (fromQuery && socketFailureCodes.has(code)))) return true;
  }
  return false;
}
