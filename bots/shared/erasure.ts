import type { Redis } from "ioredis";

/** What Redis may hold of a client who deleted their data (read before the database row is erased). */
export type ErasedClient = { clientId: number | null; telegramId: number; phone: string | null };

const bots = ["client", "partner", "admin"] as const;

/**
 * "Delete my data", the Redis half (the database half is `deleteClientData`): the person's conversations and
 * rate-limit counters in every bot, their one-time till codes, their chat id in the worker's "already sent" sets,
 * and any conversation (e.g. a cashier's lookup) whose stored steps carry their Telegram id or phone. Everything
 * here would also expire by itself within a week; this makes it at once.
 */
export async function forgetClientInRedis(redis: Redis, person: ErasedClient): Promise<void> {
  const tid = String(person.telegramId);
  await redis.del(...bots.flatMap((b) => [`conv:${b}:${tid}`, `ratelimit:${b}:${tid}`]));

  const numbers = [tid];
  if (person.phone) numbers.push(`\\+?[0-9]{0,4}${person.phone.replace(/\D/g, "").slice(-10)}`);
  const mentions = new RegExp(`(?<![0-9+])(${numbers.join("|")})(?![0-9])`);

  for await (const keys of redis.scanStream({ match: "client-code:*", count: 500 }) as AsyncIterable<string[]>) {
    for (const key of keys) if (person.clientId !== null && (await redis.get(key)) === String(person.clientId)) await redis.del(key);
  }
  for await (const keys of redis.scanStream({ match: "job-sent:*", count: 500 }) as AsyncIterable<string[]>) {
    for (const key of keys) await redis.srem(key, tid);
  }
  for await (const keys of redis.scanStream({ match: "conv:*", count: 500 }) as AsyncIterable<string[]>) {
    for (const key of keys) {
      const value = await redis.get(key).catch(() => null);
      if (value !== null && mentions.test(value)) await redis.del(key);
    }
  }
}
