import type { Context, Env, MiddlewareHandler } from "hono";
import type { WebDeps } from "./context.js";
import { ApiFailure } from "./errors.js";

/**
 * At most `max` requests per `windowSeconds` per key (a fixed window counted in Redis, so it holds across
 * processes and restarts); more is a 429. If Redis cannot count, the request goes through: the limit protects
 * against loops, and refusing everyone while Redis is down would be worse.
 */
export function rateLimit<E extends Env>(deps: Pick<WebDeps, "redis" | "logger">, options: { name: string; max: number; windowSeconds: number; key: (c: Context<E>) => string }): MiddlewareHandler<E> {
  return async (c, next) => {
    const key = `web-rate:${options.name}:${options.key(c)}`;
    let count = 0;
    try {
      // The window starts with the key (its expiry set as it is created), so no counter can outlive its window.
      await deps.redis.set(key, "0", "EX", options.windowSeconds, "NX");
      count = await deps.redis.incr(key);
    } catch (err) {
      deps.logger.warn({ err, limit: options.name }, "rate limit not counted (Redis unavailable)");
    }
    if (count > options.max) throw new ApiFailure(429, "RATE_LIMITED", "too many requests; wait a minute");
    await next();
  };
}
