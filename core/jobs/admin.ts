import { and, desc, eq } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { jobs } from "../../db/schema/index.js";
import { audit } from "../audit/service.js";
import { systemClock, type Clock } from "../clock.js";
import { DomainError } from "../errors.js";

export type JobListStatus = "dead" | "pending" | "running";

/** The outbox's jobs in one status, most recently touched first: the dashboard's failed-jobs page. Payloads stay out. */
export async function listJobs(db: DbOrTx, input: { status: JobListStatus; limit?: number }) {
  const limit = Math.min(Math.max(input.limit ?? 100, 1), 500);
  return db
    .select({ id: jobs.id, kind: jobs.kind, status: jobs.status, attempts: jobs.attempts, lastError: jobs.lastError, runAt: jobs.runAt, updatedAt: jobs.updatedAt })
    .from(jobs)
    .where(eq(jobs.status, input.status))
    .orderBy(desc(jobs.updatedAt), desc(jobs.id))
    .limit(limit);
}

/**
 * An admin sends a dead job back to the queue: pending, attempts from 0, due now. Its last error is kept until the
 * next attempt replaces it. Only a dead job: one that is pending, running or done is refused (JOB_NOT_DEAD), so a
 * double click does not run it twice. Audited as "job.retry" in the same transaction.
 */
export async function retryJob(db: DbOrTx, input: { jobId: number; adminTelegramId: number }, clock: Clock = systemClock) {
  return db.transaction(async (tx) => {
    const [job] = await tx.select({ id: jobs.id, kind: jobs.kind, status: jobs.status, attempts: jobs.attempts }).from(jobs).where(eq(jobs.id, input.jobId)).for("update");
    if (!job) throw new DomainError("NOT_FOUND", "no such job");
    if (job.status !== "dead") throw new DomainError("JOB_NOT_DEAD", "only a dead job can be retried", { status: job.status });
    const now = clock.now();
    const [updated] = await tx
      .update(jobs)
      .set({ status: "pending", attempts: 0, runAt: now, updatedAt: now })
      .where(and(eq(jobs.id, job.id), eq(jobs.status, "dead")))
      .returning({ id: jobs.id, kind: jobs.kind, status: jobs.status, attempts: jobs.attempts, lastError: jobs.lastError, runAt: jobs.runAt, updatedAt: jobs.updatedAt });
    await audit(tx, { actorType: "admin", actorTelegramId: input.adminTelegramId, action: "job.retry", targetType: "job", targetId: job.id, details: { kind: job.kind, attempts: job.attempts } });
    return updated!;
  });
}
