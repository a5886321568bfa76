import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Update } from "grammy/types";
import type { Logger } from "../../core/logger.js";
import { unavailableService } from "../../core/unavailable.js";

/**
 * The updates a bot received by webhook, queued in Redis per chat, so that several replicas of the bot behind a load
 * balancer are correct: one chat's updates are handled in update_id order, one at a time, by whichever replica holds
 * that chat's lock, and an update delivered twice (to one replica or to two) is queued once.
 *
 * Receiving ({@link ChatQueue.enqueue}) stores the update under its id (kept a day, so a late duplicate is recognised),
 * adds it to the chat's sorted set (score = update_id) and the chat to the set of chats with work, in one script.
 * A drainer takes the chat's lock (renewed while it works), handles the queued updates oldest first, removes each once
 * handled, and releases the lock only when the chat's queue is empty, in one script with the emptiness check, so an
 * update queued meanwhile is never left without a drainer. A sweeper in every replica picks up chats with work and a
 * free lock: those of a replica that died or stopped mid-queue.
 */

export type ChatQueueOptions = {
  /** Chats drained at once by this process. */
  maxConcurrentChats?: number;
  /** A chat's lock lapses after this without renewal (a replica that died holds it no longer). */
  lockTtlMs?: number;
  /** How often each replica looks for chats with work and a free lock. */
  sweepIntervalMs?: number;
};

type QueueRedis = Redis & {
  enqueueUpdate(body: string, chat: string, index: string, json: string, updateId: number, chatKey: string, ttl: number): Promise<number>;
  releaseIfEmpty(lock: string, chat: string, index: string, token: string, chatKey: string): Promise<number>;
  releaseLock(lock: string, token: string): Promise<number>;
  renewLock(lock: string, token: string, ttlMs: number): Promise<number>;
};

/** Kept this long: the update until handled, then a "done" marker that collapses a late duplicate. */
const updateTtlSeconds = 24 * 60 * 60;
const done = "done";

const scripts = {
  // KEYS: the update, the chat's queue, the set of chats with work. Queued only if this update id is new.
  enqueueUpdate: {
    numberOfKeys: 3,
    lua: `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[4]) then
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[2])
  redis.call('SADD', KEYS[3], ARGV[3])
  return 1
end
return 0`,
  },
  // KEYS: the lock, the chat's queue, the set of chats with work. Releases the lock (ours only) if the queue is empty;
  // otherwise returns how many are queued, and the drainer goes on.
  releaseIfEmpty: {
    numberOfKeys: 3,
    lua: `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
local queued = redis.call('ZCARD', KEYS[2])
if queued > 0 then return queued end
redis.call('SREM', KEYS[3], ARGV[2])
redis.call('DEL', KEYS[1])
return 0`,
  },
  releaseLock: {
    numberOfKeys: 1,
    lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
  },
  renewLock: {
    numberOfKeys: 1,
    lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`,
  },
} as const;

function withScripts(redis: Redis): QueueRedis {
  const target = redis as QueueRedis;
  for (const [name, { numberOfKeys, lua }] of Object.entries(scripts)) {
    if (!(name in target)) redis.defineCommand(name, { numberOfKeys, lua });
  }
  return target;
}

export class ChatQueue {
  private readonly redis: QueueRedis;
  private readonly prefix: string;
  private readonly maxConcurrentChats: number;
  private readonly lockTtlMs: number;
  private readonly sweepIntervalMs: number;
  /** Chats this process drains now, and chats waiting for a free slot. */
  private readonly draining = new Map<string, Promise<void>>();
  private readonly waiting = new Set<string>();
  private readonly wokenWhileDraining = new Set<string>();
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping = false;
  private stopped = false;

  constructor(
    redis: Redis,
    /** Names this bot's keys: the bot and its Telegram id (a new token for the bot starts a fresh queue). */
    keyPrefix: string,
    private readonly handle: (update: Update) => Promise<void>,
    private readonly chatOf: (update: Update) => string,
    private readonly logger: Logger,
    options: ChatQueueOptions = {},
  ) {
    this.redis = withScripts(redis);
    this.prefix = keyPrefix;
    this.maxConcurrentChats = options.maxConcurrentChats ?? 100;
    this.lockTtlMs = options.lockTtlMs ?? 10_000;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 1_000;
  }

  private key = {
    update: (updateId: number | string) => `${this.prefix}:update:${updateId}`,
    chat: (chat: string) => `${this.prefix}:chat:${chat}`,
    lock: (chat: string) => `${this.prefix}:lock:${chat}`,
    chats: () => `${this.prefix}:chats`,
  };

  /**
   * Queues the update (a duplicate collapses into the one queued or handled) and starts draining its chat here. Throws
   * if Redis cannot be reached: the caller then handles the update itself.
   */
  async enqueue(update: Update): Promise<void> {
    const chat = this.chatOf(update);
    const added = await this.redis.enqueueUpdate(
      this.key.update(update.update_id),
      this.key.chat(chat),
      this.key.chats(),
      JSON.stringify(update),
      update.update_id,
      chat,
      updateTtlSeconds,
    );
    if (added === 0) this.logger.info({ updateId: update.update_id }, "duplicate webhook update dropped");
    this.wake(chat);
  }

  /** Starts the sweeper (see the class comment). */
  start(): void {
    this.sweeper = setInterval(() => void this.sweep(), this.sweepIntervalMs);
    this.sweeper.unref();
    void this.sweep();
  }

  /**
   * Takes no more chats, lets each drainer finish the update in hand and release its chat's lock; what is still
   * queued stays for another replica (or this one after its restart).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweeper);
    this.waiting.clear();
    await Promise.all(this.draining.values());
  }

  /** Drains `chat` here, now or when a slot frees up; nothing if this process drains it already. */
  private wake(chat: string): void {
    if (this.stopped) return;
    // Its drainer may be past its last look at the queue: it looks once more when it ends.
    if (this.draining.has(chat)) return void this.wokenWhileDraining.add(chat);
    if (this.draining.size >= this.maxConcurrentChats) return void this.waiting.add(chat);
    const drain = this.drain(chat)
      .catch((err: unknown) => {
        // Redis gone mid-drain is logged once by the connection; here a short line, not its stack.
        const detail = unavailableService(err) ? { reason: (err as Error).message } : { err };
        this.logger.warn({ ...detail, chat }, "draining a chat's webhook updates failed; the sweeper retries");
      })
      .finally(() => {
        this.draining.delete(chat);
        if (this.wokenWhileDraining.delete(chat)) return this.wake(chat);
        const [next] = this.waiting;
        if (next !== undefined) {
          this.waiting.delete(next);
          this.wake(next);
        }
      });
    this.draining.set(chat, drain);
  }

  private async sweep(): Promise<void> {
    if (this.sweeping || this.stopped || this.redis.status !== "ready") return;
    this.sweeping = true;
    try {
      const chats = await this.redis.srandmember(this.key.chats(), 1_000);
      for (const chat of chats) this.wake(chat);
    } catch (err) {
      this.logger.warn(unavailableService(err) ? { reason: (err as Error).message } : { err }, "could not look for queued webhook updates");
    } finally {
      this.sweeping = false;
    }
  }

  /** Under the chat's lock (if this process gets it), handles its queued updates oldest first. */
  private async drain(chat: string): Promise<void> {
    const lock = this.key.lock(chat);
    const token = randomUUID();
    if ((await this.redis.set(lock, token, "PX", this.lockTtlMs, "NX")) === null) return; // another replica drains it
    let lost = false;
    let renewedAt = Date.now();
    const heartbeat = setInterval(() => {
      this.redis.renewLock(lock, token, this.lockTtlMs).then(
        (renewed) => {
          if (renewed === 0) lost = true;
          else renewedAt = Date.now();
        },
        (err: unknown) => {
          // Not renewed for a lock's lifetime: another replica may hold the chat now; take no further update of it.
          if (Date.now() - renewedAt >= this.lockTtlMs) lost = true;
          this.logger.warn({ reason: err instanceof Error ? err.message : String(err), chat }, "could not renew a chat's lock");
        },
      );
    }, Math.floor(this.lockTtlMs / 3));
    try {
      for (;;) {
        if (this.stopped || lost) {
          if (lost) this.logger.warn({ chat }, "lost a chat's lock while draining it; another replica goes on");
          await this.redis.releaseLock(lock, token);
          return;
        }
        const [next] = await this.redis.zrange(this.key.chat(chat), "0", "0");
        if (next === undefined) {
          // Empty: release, unless an update was queued since (then go on, or it would wait for the sweeper).
          if ((await this.redis.releaseIfEmpty(lock, this.key.chat(chat), this.key.chats(), token, chat)) <= 0) return;
          continue;
        }
        const body = await this.redis.get(this.key.update(next));
        if (body !== null && body !== done) {
          try {
            await this.handle(JSON.parse(body) as Update);
          } catch (err) {
            // The error boundary catches what a handler throws; this is a failure around it. Not retried for ever.
            this.logger.error({ err, updateId: Number(next) }, "handling a queued webhook update failed");
          }
        }
        await this.redis.multi().zrem(this.key.chat(chat), next).set(this.key.update(next), done, "KEEPTTL", "XX").exec();
      }
    } catch (err) {
      // Redis failed mid-drain: the lock lapses by itself and the sweeper (here or elsewhere) resumes the chat.
      await this.redis.releaseLock(lock, token).catch(() => undefined);
      throw err;
    } finally {
      clearInterval(heartbeat);
    }
  }
}
