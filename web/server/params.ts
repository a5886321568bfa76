import type { Context } from "hono";
import { z } from "zod";
import { periodQuery } from "../api.js";
import { periodOf, type Period } from "../../core/analytics/period.js";
import type { WebDeps } from "./context.js";
import { parseInput, queryOf } from "./errors.js";

const idParam = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

/** The `:id` of the route, a positive integer (else 400 naming "id"). */
export const idOf = (c: Context): number => parseInput(idParam, c.req.param()).id;

/** The `?from&to` period (Moscow days; default the last 30 days); a bad or reversed date is a 400 naming "from" or "to". */
export const periodOfQuery = (c: Context, deps: Pick<WebDeps, "clock">): Period => periodOf(queryOf(c, periodQuery), deps.clock.now());
