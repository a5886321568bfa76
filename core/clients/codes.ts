import type { Redis } from "ioredis";
import { randomDigits } from "../ids.js";

/**
 * One-time codes a client shows at the till instead of their phone: six digits, valid for ten minutes, in Redis
 * (they are a convenience for finding someone, not a record, so they live where they expire by themselves).
 */
export const clientCodeTtlSeconds = 10 * 60;
const key = (code: string) => `client-code:${code}`;

export async function issueClientCode(redis: Redis, clientId: number): Promise<string> {
  for (;;) {
    const code = randomDigits(6);
    if ((await redis.set(key(code), String(clientId), "EX", clientCodeTtlSeconds, "NX")) === "OK") return code;
  }
}

/** The client a code names, while it is valid. Looking it up does not use it up: the cashier may look twice. */
export async function clientIdForCode(redis: Redis, code: string): Promise<number | null> {
  const id = await redis.get(key(code));
  return id === null ? null : Number(id);
}
