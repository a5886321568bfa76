import { and, eq, or, sql } from "drizzle-orm";
import { jobs } from "../db/schema/index.js";
import type { Db } from "../db/client.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";

/*
 * The lease invariant: a message goes out only while this worker's claim on its job is certain to outlast the
 * request that carries it, even if no renewal succeeds meanwhile — so no other worker can take the job and send the
 * same message while this one's request is still on its way.
 *
 * The longest request is bounded by the Api's timeout (`requestTimeoutSeconds`, grammY aborts the request then), and
 * the check is made by the sender right before the request, after any pacing wait — so the pacing wait does not count.
 * The lease covers one request, one renewal period and some slack for a renewal that is late (a busy database), so
 * a worker whose renewals succeed always passes the check.
 */

/** The longest one Bot API request of the worker may take: every Api it sends through is built with this timeout. */
export const requestTimeoutSeconds = 30;
/** How often a running job's lease is renewed. */
export const leaseRenewMs = 10_000;
/** A renewal may come this late without holding up sending. */
const renewSlackMs = 5_000;
/** How long a claimed job is invisible to other workers (from its claim or last renewal). */
export const leaseMs = requestTimeoutSeconds * 1_000 + leaseRenewMs + renewSlackMs;

/** What a lease needs: the jobs table, the product clock (run_at is in its time) and a log. */
export type LeaseDeps = { db: Db; clock: Clock; logger: Logger };
/** A claimed job: its id and its `attempts` as the claim left them. */
export type Claim = { id: number; attempts: number };

/** Another worker may have taken the job: this one stops before sending anything more. */
export class LeaseLost extends Error {
  constructor(jobId: number) {
    super(`the lease on job ${jobId} was lost`);
    this.name = "LeaseLost";
  }
}

/** The worker is stopping: the job stops at a boundary (before a message, never during one) and is handed back. */
export class Interrupted extends Error {
  constructor() {
    super("the worker is stopping");
    this.name = "Interrupted";
  }
}

/** A job's safe boundary (before a message, never during one): throws {@link Interrupted} once the worker is stopping. */
export function stopIfStopping(deps: { stopping?: AbortSignal }): void {
  if (deps.stopping?.aborted) throw new Interrupted();
}

/**
 * For the sender to run right before a job's request goes out (see PacedSender.send): nothing is sent once the
 * worker is stopping, or when the job's lease may not outlast the request.
 */
export const beforeSend = (deps: { stopping?: AbortSignal; lease?: Lease }) => () => {
  stopIfStopping(deps);
  deps.lease?.check();
};

/** The row of a job as this worker claimed it: each claim increments `attempts`, so another worker's claim no longer matches. */
export const claimOf = (claim: Claim) => and(eq(jobs.id, claim.id), eq(jobs.status, "running"), eq(jobs.attempts, claim.attempts));

/** The run_at that keeps a job claimed for a full lease from `now`. */
export const leaseEnd = (now: Date) => new Date(now.getTime() + leaseMs);

/** This worker's claim on one running job, renewed in the background until released. */
export class Lease {
  /** Until when (local time, ms) the claim holds for certain: counted from before the renewal was sent. */
  private validUntil: number;
  private lost = false;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly deps: LeaseDeps,
    private readonly claim: Claim,
    renewedAt: number,
  ) {
    this.validUntil = renewedAt + leaseMs;
    this.timer = setInterval(() => void this.renew(), leaseRenewMs);
  }

  /** Renews the claim now (a job late in a batch may have waited); undefined if another worker has taken the job since. */
  static async take(deps: LeaseDeps, claim: Claim): Promise<Lease | undefined> {
    const startedAt = Date.now();
    return (await Lease.extend(deps, claim)) ? new Lease(deps, claim, startedAt) : undefined;
  }

  private static async extend(deps: LeaseDeps, claim: Claim): Promise<boolean> {
    const [row] = await deps.db.update(jobs).set({ runAt: leaseEnd(deps.clock.now()), updatedAt: sql`now()` }).where(claimOf(claim)).returning({ id: jobs.id });
    return row !== undefined;
  }

  private async renew(): Promise<void> {
    const startedAt = Date.now();
    try {
      if (await Lease.extend(this.deps, this.claim)) this.validUntil = startedAt + leaseMs;
      else this.lost = true;
    } catch (err) {
      this.deps.logger.warn({ err, jobId: this.claim.id }, "could not renew a job's lease");
    }
  }

  /** Call right before each request that sends: throws {@link LeaseLost} unless the claim outlasts the longest request. */
  check(): void {
    if (this.lost || Date.now() + requestTimeoutSeconds * 1_000 > this.validUntil) throw new LeaseLost(this.claim.id);
  }

  release(): void {
    clearInterval(this.timer);
  }
}

/**
 * Puts claimed jobs back, due at once and with the attempt their claim counted given back: used for jobs a worker
 * did not (fully) perform through no fault of theirs — Telegram unreachable, the worker stopping. A job another
 * worker has claimed since is left alone.
 */
export async function handBack(deps: LeaseDeps, claims: Claim[], lastError?: string): Promise<void> {
  if (claims.length === 0) return;
  await deps.db
    .update(jobs)
    .set({ status: "pending", attempts: sql`${jobs.attempts} - 1`, runAt: deps.clock.now(), updatedAt: sql`now()`, ...(lastError !== undefined ? { lastError } : {}) })
    .where(or(...claims.map(claimOf)));
}
