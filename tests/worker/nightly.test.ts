import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { fixedClock } from "../../core/clock.js";
import { enqueue } from "../../core/jobs/outbox.js";
import { accrue } from "../../core/ledger/service.js";
import { clientSegments, jobs } from "../../db/schema/index.js";
import { scheduleDigests, scheduleNightly } from "../../worker/main.js";
import { runOutboxOnce } from "../../worker/outbox.js";
import { useTestDb } from "../helpers/db.js";
import { outboxDepsFor, useFakeTelegram } from "../helpers/worker.js";
import { makeClient, makePartner } from "../helpers/fixtures.js";
import { tokens } from "../helpers/processes.js";

const db = useTestDb();
const telegram = useFakeTelegram();

const outboxDeps = (at: Date) => outboxDepsFor(telegram.fake, db, telegram.redis, at);

describe("daily digests", () => {
  it("after the digest hour, each partner's owner gets yesterday's numbers and the admins the network's", async () => {
    const p = await makePartner(db, "Кофейня Утро");
    const c = await makeClient(db);
    // Yesterday in Moscow (24 Nov): a 2,000 ₽ check. Today (25 Nov): one that must not be counted.
    await accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: c.clientId, amountKopecks: 200_000, receiptNumber: "y" }, fixedClock(new Date("2026-11-24T10:00:00Z")));
    await accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: c.clientId, amountKopecks: 900_000, receiptNumber: "t" }, fixedClock(new Date("2026-11-25T03:00:00Z")));
    await db.delete(jobs);
    expect(await scheduleDigests(db, new Date("2026-11-25T05:59:00Z"))).toBe(false); // 08:59 MSK
    expect(await scheduleDigests(db, new Date("2026-11-25T06:00:00Z"))).toBe(true);
    expect(await scheduleDigests(db, new Date("2026-11-25T07:00:00Z"))).toBe(true);
    expect((await db.select().from(jobs)).map((j) => j.kind).sort()).toEqual(["digest.network", "digest.partners"]);
    expect(await runOutboxOnce(outboxDeps(new Date("2026-11-25T06:00:01Z")))).toBe(2);
    await telegram.fake.waitForText(tokens.partner, p.staffTelegramId, /«Кофейня Утро» вчера: оборот 2\s000 ₽, чеков 1, новых клиентов 1, начислено 100/);
    await telegram.fake.waitForText(tokens.admin, 4_242, /Сеть вчера: оборот 2\s000 ₽, чеков 1/);
  });
});

describe("nightly analytics in the worker", () => {
  it("is scheduled once a day after 03:00 Moscow time, however often the loop asks", async () => {
    expect(await scheduleNightly(db, new Date("2026-11-24T23:59:00Z"))).toBe(false); // 02:59 MSK on the 25th
    expect(await db.select().from(jobs)).toHaveLength(0);
    for (const t of ["2026-11-25T00:00:00Z", "2026-11-25T00:00:01Z", "2026-11-25T12:00:00Z"]) expect(await scheduleNightly(db, new Date(t))).toBe(true);
    expect((await db.select().from(jobs)).map((j) => j.dedupeKey)).toEqual(["analytics:2026-11-25"]);
    await scheduleNightly(db, new Date("2026-11-26T00:30:00Z"));
    expect(await db.select().from(jobs)).toHaveLength(2);
  });

  it("an admin's on-demand recompute runs in the worker and tells that admin", async () => {
    const at = new Date("2026-11-25T10:00:00Z");
    const p = await makePartner(db);
    const c = await makeClient(db);
    await accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: c.clientId, amountKopecks: 10_000, receiptNumber: "1" }, fixedClock(at));
    await db.delete(jobs);
    await enqueue(db, "analytics.recompute", { requestedBy: 4_242 }, { runAt: at });
    expect(await runOutboxOnce(outboxDeps(at))).toBe(1);
    const [job] = await db.select().from(jobs);
    expect(job!.status).toBe("done");
    expect(await db.select().from(clientSegments).where(eq(clientSegments.clientId, c.clientId))).toHaveLength(2);
    await telegram.fake.waitForText(tokens.admin, 4_242, /Сегменты пересчитаны \(записей: 2\)/);
  });
});
