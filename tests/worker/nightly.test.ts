import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { fixedClock } from "../../core/clock.js";
import { enqueue } from "../../core/jobs/outbox.js";
import { accrue } from "../../core/ledger/service.js";
import { clientSegments, jobs, ledgerTotals } from "../../db/schema/index.js";
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

  it("the nightly run advances the ledger's totals to last midnight, which the dashboard's liability starts from", async () => {
    const p = await makePartner(db, "Кофейня", fixedClock(new Date("2026-11-24T09:00:00Z")));
    const c = await makeClient(db, 0, { clock: fixedClock(new Date("2026-11-24T09:00:00Z")) }); // +100 welcome bonus
    const staff = { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: c.clientId };
    await accrue(db, { ...staff, amountKopecks: 100_000, receiptNumber: "1" }, fixedClock(new Date("2026-11-24T10:00:00Z"))); // +50
    await accrue(db, { ...staff, amountKopecks: 200_000, receiptNumber: "2" }, fixedClock(new Date("2026-11-25T10:00:00Z"))); // +100
    const totals = async () =>
      (await db.select().from(ledgerTotals).orderBy(ledgerTotals.asOf, sql`${ledgerTotals.scopePartnerId} NULLS FIRST`)).map((t) => [t.asOf.toISOString(), t.scopePartnerId, t.net]);
    const night = async (at: string) => {
      await db.delete(jobs);
      expect(await scheduleNightly(db, new Date(at))).toBe(true);
      expect(await runOutboxOnce(outboxDeps(new Date(at)))).toBe(1);
      expect((await db.select().from(jobs))[0]!.status).toBe("done");
    };
    await night("2026-11-25T00:00:00Z"); // 03:00 Moscow on the 25th: as of its midnight, the 24th's rows
    expect(await totals()).toEqual([
      ["2026-11-24T21:00:00.000Z", null, 150],
      ["2026-11-24T21:00:00.000Z", p.partnerId, 50],
    ]);
    await night("2026-11-26T00:00:00Z"); // the next night adds the 25th's check
    expect((await totals()).slice(2)).toEqual([
      ["2026-11-25T21:00:00.000Z", null, 250],
      ["2026-11-25T21:00:00.000Z", p.partnerId, 150],
    ]);
  });
});
