// STUB (issue 11): the interface is fixed; the helper who owns this file fills in the bodies.

/**
 * Which backing service an error says is unreachable ("postgres" or "redis": refused, reset, timed out, shutting
 * down), or undefined for any other error (a bug, a constraint, bad input).
 */
export function unavailableService(_err: unknown): "postgres" | "redis" | undefined {
  return undefined;
}
