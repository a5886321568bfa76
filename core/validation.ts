import type { z } from "zod";
import { DomainError } from "./errors.js";

/** zod at the edge of every use-case: bad input becomes a VALIDATION DomainError naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join(".") || "input";
  throw new DomainError("VALIDATION", `${field}: ${issue?.message ?? "invalid"}`, { field });
}
