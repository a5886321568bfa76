/**
 * An error and the errors it wraps in `cause` (drizzle wraps postgres.js's, postgres.js a socket's), outermost first,
 * objects only, at most `maxDepth` deep: the one walk every error classifier uses.
 */
export function* errorChain(err: unknown, maxDepth = 5): Generator<object & { code?: unknown; cause?: unknown }> {
  for (let e = err, depth = 0; typeof e === "object" && e !== null && depth < maxDepth; e = (e as { cause?: unknown }).cause, depth++) {
    yield e as object & { code?: unknown; cause?: unknown };
  }
}
