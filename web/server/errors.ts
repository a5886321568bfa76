import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodType } from "zod";
import type { ApiError } from "../api.js";
import { isDomainError } from "../../core/errors.js";
import { unavailableService } from "../../core/unavailable.js";
import type { Logger } from "../../core/logger.js";

/** A refusal the server answers with `{ error: { code, message, field? } }` at `status` (see web/api.ts). */
export class ApiFailure extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "ApiFailure";
  }
}

/** The status a domain refusal is answered with: not found 404, not allowed 403, bad input 400, any other rule 409. */
const domainStatus = (code: string): ContentfulStatusCode => {
  if (code === "NOT_FOUND" || code === "CLIENT_NOT_FOUND" || code === "PARTNER_NOT_FOUND") return 404;
  if (code === "FORBIDDEN") return 403;
  if (code === "VALIDATION") return 400;
  return 409;
};

/**
 * Any error thrown by a route, as the answer the client gets. Postgres or Redis being away is a 503 the client may
 * retry; unexpected errors are logged and shown as a bare 500 (never a stack trace).
 */
export function errorResponse(c: Context, err: unknown, logger: Logger): Response {
  let failure: ApiFailure;
  const unavailable = unavailableService(err);
  if (err instanceof ApiFailure) failure = err;
  else if (isDomainError(err)) {
    const field = typeof err.details.field === "string" ? err.details.field : undefined;
    failure = new ApiFailure(domainStatus(err.code), err.code, err.message, field);
  } else if (unavailable) {
    // A request the outage costs is one short line, not a stack trace.
    logger.warn({ method: c.req.method, path: c.req.path, service: unavailable }, "web request refused: a backing service is unavailable");
    failure = new ApiFailure(503, "TEMPORARILY_UNAVAILABLE", "the service is temporarily unavailable; try again in a minute");
  } else {
    logger.error({ err, method: c.req.method, path: c.req.path }, "web request failed");
    failure = new ApiFailure(500, "INTERNAL", "something went wrong on our side; try again");
  }
  const body: ApiError = { error: { code: failure.code, message: failure.message, ...(failure.field !== undefined && { field: failure.field }) } };
  return c.json(body, failure.status);
}

/** Parses input with its schema; a failure is a 400 naming the first bad field (its path, e.g. "points" or "audience.segment"). */
export function parseInput<S extends ZodType>(schema: S, value: unknown, fallbackField = "body"): ReturnType<S["parse"]> {
  const result = schema.safeParse(value);
  if (result.success) return result.data as ReturnType<S["parse"]>;
  const issue = result.error.issues[0]!;
  // An unknown key (strict objects) names the key itself, not the object holding it.
  const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
  const path = [...issue.path.map(String), ...keys.slice(0, 1)];
  const field = path.length > 0 ? path.join(".") : fallbackField;
  throw new ApiFailure(400, "VALIDATION", `${field}: ${issue.message}`, field);
}

/** The JSON body of a request, parsed with its schema (a body that is not JSON is a 400 on "body"). */
export async function jsonBody<S extends ZodType>(c: Context, schema: S): Promise<ReturnType<S["parse"]>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new ApiFailure(400, "VALIDATION", "body: must be a JSON object", "body");
  }
  return parseInput(schema, raw);
}

/** The query string, parsed with its schema. */
export const queryOf = <S extends ZodType>(c: Context, schema: S): ReturnType<S["parse"]> => parseInput(schema, c.req.query(), "query");

/** Dates as ISO strings, as JSON would write them (the schemas describe the wire, where times are strings). */
function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v)]));
  return value;
}

/**
 * Answers with `data` after checking it against the response schema: a drift between what core returns and what
 * web/api.ts promises fails the tests (and a request, loudly), never silently reaches a page. Keys the schema does
 * not name are dropped, so a core row's other columns (a Telegram id, a token hash) never leak by accident.
 */
export function send<S extends ZodType>(c: Context, schema: S, data: unknown, status: ContentfulStatusCode = 200): Response {
  return c.json(schema.parse(toWire(data)) as object, status);
}
