import { eq } from "drizzle-orm";
import { Api } from "grammy";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { systemClock } from "../../core/clock.js";
import { enqueue } from "../../core/jobs/outbox.js";
import { jobs } from "../../db/schema/index.js";
import { Lease, LeaseLost, leaseMs, leaseRenewMs, requestTimeoutSeconds } from "../../worker/lease.js";
import { telegramClients } from "../../worker/main.js";
import { PacedSender } from "../../worker/sender.js";
import { useTestDb } from "../helpers/db.js";
import { useFakeTelegram } from "../helpers/worker.js";
import { tokens } from "../helpers/processes.js";

/**
 * The lease invariant: a job's message goes out only while the worker's claim on the job outlasts the longest
 * request that can carry it, so no other worker can take the job (and send the message again) while it is on its way.
 */
const db = useTestDb({ max: 2 });
const telegram = useFakeTelegram();
const requestTimeoutMs = requestTimeoutSeconds * 1_000;

afterEach(() => {
  vi.useRealTimers();
});

const config = {
  CLIENT_BOT_TOKEN: tokens.client,
  PARTNER_BOT_TOKEN: tokens.partner,
  ADMIN_BOT_TOKEN: tokens.admin,
  TELEGRAM_API_ROOT: "http://127.0.0.1:1",
  SEND_RATE_PER_SECOND: 25,
  SEND_CHAT_INTERVAL_MS: 1_000,
};

describe("the job lease covers the longest send it guards", () => {
  it("every Api the worker sends or edits through gives up on a request before the lease could lapse under it", () => {
    const clients = telegramClients(config);
    const apis = [...Object.values(clients.apis), ...Object.values(clients.senders).map((s) => s.api)];
    expect(apis).toHaveLength(6);
    for (const api of apis) {
      // grammY's default is 500 s: an Api built without the worker's timeout fails here.
      expect(api.options?.timeoutSeconds).toBeDefined();
      expect(api.options?.timeoutSeconds! * 1_000).toBeLessThanOrEqual(requestTimeoutMs);
    }
    // Renewed on time, a lease always leaves a whole request to run: sending never stalls on a healthy worker.
    expect(leaseMs - leaseRenewMs).toBeGreaterThan(requestTimeoutMs);
  });

  it("a request allowed by the lease ends, even at its timeout and with no renewal since, before the claim in the database lapses", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const deps = { db, clock: systemClock, logger: pino({ level: "silent" }) };
    await enqueue(db, "notify.admins", { message: "test" }, { runAt: new Date() });
    const [claimed] = await db.update(jobs).set({ status: "running", attempts: 1 }).returning();
    const lease = await Lease.take(deps, claimed!);
    expect(lease).toBeDefined();
    try {
      const [row] = await db.select().from(jobs).where(eq(jobs.id, claimed!.id));
      const lapsesAt = row!.runAt.getTime(); // when another worker may claim it
      // The last moment the lease lets a request start (renewals stopped: none is due within this test's real time).
      let last = Date.now();
      for (let t = Date.now(); t < lapsesAt; t += 250) {
        vi.setSystemTime(t);
        try {
          lease!.check();
          last = t;
        } catch (err) {
          expect(err).toBeInstanceOf(LeaseLost);
          break;
        }
      }
      expect(last + requestTimeoutMs).toBeLessThanOrEqual(lapsesAt);
      // And it does not stop sending much earlier than it must (the margin is the renewal period and its slack).
      expect(lapsesAt - (last + requestTimeoutMs)).toBeLessThanOrEqual(leaseRenewMs);
      vi.setSystemTime(lapsesAt - requestTimeoutMs + 1);
      expect(() => lease!.check()).toThrow(LeaseLost);
    } finally {
      lease!.release();
    }
  });

  it("the sender asks for leave right before the request, after the pacing wait; refused, nothing is sent", async () => {
    const sender = new PacedSender(new Api(tokens.client, { apiRoot: telegram.fake.url }), { perSecond: 25, perChatIntervalMs: 1_000 });
    await sender.send({ chatId: 501, text: "first" });
    const firstAt = Date.now();
    let askedAt = 0;
    await sender.send({ chatId: 501, text: "second" }, () => (askedAt = Date.now()));
    expect(askedAt - firstAt).toBeGreaterThanOrEqual(900); // after waiting for the chat's one-second spacing
    await expect(
      sender.send({ chatId: 502, text: "held back" }, () => {
        throw new LeaseLost(1);
      }),
    ).rejects.toThrow(LeaseLost);
    expect(telegram.fake.messagesTo(tokens.client, 502)).toHaveLength(0);
    // The refusal does not block the next message.
    expect((await sender.send({ chatId: 502, text: "next" })).ok).toBe(true);
  });
});
