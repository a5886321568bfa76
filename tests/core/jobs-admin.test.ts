import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, jobs } from "../../db/schema/index.js";
import { fixedClock } from "../../core/clock.js";
import { listJobs, retryJob } from "../../core/jobs/admin.js";
import { useTestDb } from "../helpers/db.js";
import { adminId } from "../helpers/fixtures.js";

const db = useTestDb();
const t0 = new Date("2026-11-20T10:00:00Z");
const now = new Date("2026-11-24T12:00:00Z");

async function job(status: "pending" | "running" | "done" | "dead", updatedAt: Date, lastError: string | null = null) {
  const [row] = await db
    .insert(jobs)
    .values({ kind: "notify.client", payload: { clientId: 1, message: "x" }, status, attempts: status === "dead" ? 8 : 1, lastError, runAt: t0, createdAt: t0, updatedAt })
    .returning();
  return row!;
}

describe("listJobs", () => {
  it("lists one status, most recently touched first, without payloads", async () => {
    const older = await job("dead", new Date("2026-11-21T00:00:00Z"), "403: bot was blocked");
    const newer = await job("dead", new Date("2026-11-22T00:00:00Z"), "timeout");
    await job("pending", t0);
    await job("done", t0);
    const dead = await listJobs(db, { status: "dead" });
    expect(dead.map((j) => j.id)).toEqual([newer.id, older.id]);
    expect(dead[0]).toEqual({ id: newer.id, kind: "notify.client", status: "dead", attempts: 8, lastError: "timeout", runAt: t0, updatedAt: new Date("2026-11-22T00:00:00Z") });
    expect((await listJobs(db, { status: "pending" })).map((j) => j.status)).toEqual(["pending"]);
    expect(await listJobs(db, { status: "running" })).toEqual([]);
    expect(await listJobs(db, { status: "dead", limit: 1 })).toHaveLength(1);
  });
});

describe("retryJob", () => {
  it("sends a dead job back: pending, attempts 0, due now, last error kept, audited in the same transaction", async () => {
    const dead = await job("dead", t0, "timeout");
    const retried = await retryJob(db, { jobId: dead.id, adminTelegramId: adminId }, fixedClock(now));
    expect(retried).toMatchObject({ id: dead.id, status: "pending", attempts: 0, runAt: now, lastError: "timeout" });
    const [row] = await db.select().from(jobs).where(eq(jobs.id, dead.id));
    expect(row).toMatchObject({ status: "pending", attempts: 0, runAt: now, updatedAt: now, lastError: "timeout" });
    expect(await db.select().from(auditLog)).toMatchObject([{ actorType: "admin", actorTelegramId: adminId, action: "job.retry", targetType: "job", targetId: dead.id, details: { kind: "notify.client", attempts: 8 } }]);
  });

  it("refuses a job that is not dead (JOB_NOT_DEAD, a double click too) and an unknown one (NOT_FOUND); nothing changes", async () => {
    const dead = await job("dead", t0, "timeout");
    const done = await job("done", t0);
    await retryJob(db, { jobId: dead.id, adminTelegramId: adminId }, fixedClock(now));
    await expect(retryJob(db, { jobId: dead.id, adminTelegramId: adminId }, fixedClock(now))).rejects.toMatchObject({ code: "JOB_NOT_DEAD", details: { status: "pending" } });
    await expect(retryJob(db, { jobId: done.id, adminTelegramId: adminId }, fixedClock(now))).rejects.toMatchObject({ code: "JOB_NOT_DEAD", details: { status: "done" } });
    await expect(retryJob(db, { jobId: 999_999, adminTelegramId: adminId }, fixedClock(now))).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await db.select().from(jobs).where(eq(jobs.id, done.id))).toMatchObject([{ status: "done", attempts: 1, runAt: t0 }]);
    expect(await db.select().from(auditLog)).toHaveLength(1);
  });
});
