import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { networkStats } from "../../core/analytics/network-stats.js";
import { addDays } from "../../core/clock.js";
import { enqueue } from "../../core/jobs/outbox.js";
import { clients, jobs } from "../../db/schema/index.js";
import { runOutboxOnce } from "../../worker/outbox.js";
import { useTestDb } from "../helpers/db.js";
import { outboxDepsFor, useFakeTelegram } from "../helpers/worker.js";
import { makeClient } from "../helpers/fixtures.js";
import { tokens } from "../helpers/processes.js";

const db = useTestDb();
const telegram = useFakeTelegram();

const depsAt = (at: Date) => outboxDepsFor(telegram.fake, db, telegram.redis, at);

describe("the outbox job runner", () => {
  it("retries a failing job with exponential backoff and keeps it as dead, with its error, after 8 attempts", async () => {
    const t0 = new Date("2026-11-25T10:00:00Z");
    await db.insert(jobs).values({ kind: "no.such.kind", payload: {}, runAt: t0 });
    const delays: number[] = [];
    let now = t0;
    for (let attempt = 1; attempt <= 8; attempt++) {
      expect(await runOutboxOnce(depsAt(now))).toBe(1);
      const [job] = await db.select().from(jobs);
      expect(job!.attempts).toBe(attempt);
      expect(job!.lastError).toMatch(/unknown job kind no\.such\.kind/);
      if (attempt < 8) {
        expect(job!.status).toBe("pending");
        delays.push((job!.runAt.getTime() - now.getTime()) / 1000);
        // Not due before its time…
        expect(await runOutboxOnce(depsAt(new Date(job!.runAt.getTime() - 1)))).toBe(0);
        now = job!.runAt;
      } else {
        expect(job!.status).toBe("dead");
      }
    }
    expect(delays).toEqual([10, 20, 40, 80, 160, 320, 640]);
    expect(await runOutboxOnce(depsAt(addDays(now, 30)))).toBe(0);
    expect((await networkStats(db, { since: t0, until: addDays(t0, 1) })).jobsDead).toBe(1);
  });

  it("a client who blocked the bot is marked unreachable, the job is not retried, and later messages skip them", async () => {
    const c = await makeClient(db);
    telegram.fake.blockChat(tokens.client, c.telegramId);
    const at = new Date("2026-11-25T10:00:00Z");
    await enqueue(db, "notify.client", { clientId: c.clientId, message: "balance-adjusted", params: { points: 5, balance: 5 } }, { runAt: at });
    expect(await runOutboxOnce(depsAt(at))).toBe(1);
    const [marked] = await db.select().from(clients).where(eq(clients.id, c.clientId));
    expect(marked!.unreachableSince).toEqual(at);
    expect((await db.select().from(jobs))[0]!.status).toBe("done"); // not retried: the user chose this

    telegram.fake.unblockChat(tokens.client, c.telegramId);
    const before = telegram.fake.calls(tokens.client).length;
    await enqueue(db, "notify.client", { clientId: c.clientId, message: "balance-adjusted", params: { points: 5, balance: 10 } }, { runAt: at });
    await runOutboxOnce(depsAt(at));
    expect(telegram.fake.calls(tokens.client).slice(before).filter((x) => x.method === "sendMessage")).toEqual([]);
  });
});
