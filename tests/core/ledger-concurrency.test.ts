import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { ledgerEntries, purchases, redemptionRequests } from "../../db/schema/index.js";
import { isDomainError } from "../../core/errors.js";
import { balanceOf, findBalanceDrift } from "../../core/ledger/post.js";
import { accrue, confirmRedemption, requestRedemption } from "../../core/ledger/service.js";
import { useTestDb } from "../helpers/db.js";
import { concurrently, makeClient, makePartner, setSettings } from "../helpers/fixtures.js";

const db = useTestDb({ max: 20 });

describe("the ledger under concurrency", () => {
  it("200 concurrent redemptions of 1 point from a balance of 50: exactly 50 succeed, the balance ends at 0", async () => {
    await setSettings(db, { welcomeBonus: 0 });
    const { partnerId, staffTelegramId } = await makePartner(db);
    const { clientId } = await makeClient(db, 50);
    // 200 open requests of 1 point, then 200 confirmations racing. The product keeps one open request per client at a
    // partner, so the first is made by core and the other 199 are rows like it (setup only: the race is in confirm).
    const template = await requestRedemption(db, { partnerId, staffTelegramId, clientId, checkKopecks: 1_000, points: 1, idempotencyKey: "req-0" });
    const { id: _id, ...row } = template as typeof template & { replayed?: boolean };
    delete (row as { replayed?: boolean }).replayed;
    const more = await db
      .insert(redemptionRequests)
      .values(
        Array.from({ length: 199 }, (_, i) => String(100_000 + i))
          .map((code) => (code === template.code ? "999999" : code)) // codes are unique among open requests
          .map((code, i) => ({ ...row, idempotencyKey: `req-${i + 1}`, code })),
      )
      .returning({ id: redemptionRequests.id });
    const requests = [template, ...more];
    let lowest = Infinity;
    const watcher = setInterval(() => {
      void balanceOf(db, clientId).then((b) => (lowest = Math.min(lowest, b)));
    }, 2);
    const { ok, errors } = await concurrently(200, (i) =>
      confirmRedemption(db, { by: { kind: "client", clientId, requestId: requests[i]!.id }, decisionKey: `confirm-${i}` }),
    );
    clearInterval(watcher);

    expect(ok).toHaveLength(50);
    expect(errors).toHaveLength(150);
    expect(errors.every((e) => isDomainError(e, "INSUFFICIENT_POINTS"))).toBe(true);
    expect(await balanceOf(db, clientId)).toBe(0);
    expect(lowest).toBeGreaterThanOrEqual(0);
    const [{ n }] = (await db.execute<{ n: string }>(sql`SELECT count(*) AS n FROM ledger_entries WHERE kind = 'redemption'`)) as unknown as [{ n: string }];
    expect(Number(n)).toBe(50);
    expect(await findBalanceDrift(db)).toEqual([]);
  });

  it("the same accrual sent 20 times at once: one ledger entry, credited once, every caller gets the same result", async () => {
    await setSettings(db, { welcomeBonus: 0 });
    const { partnerId, staffTelegramId } = await makePartner(db);
    const { clientId } = await makeClient(db);
    const { ok, errors } = await concurrently(20, () =>
      accrue(db, { partnerId, staffTelegramId, clientId, amountKopecks: 123_456, receiptNumber: "A-0001" }),
    );
    expect(errors).toEqual([]);
    expect(ok).toHaveLength(20);
    const first = ok[0]!;
    for (const r of ok) {
      expect({ ...r, replayed: false }).toEqual({ ...first, replayed: false });
    }
    expect(ok.filter((r) => !r.replayed)).toHaveLength(1);
    expect(first.points).toBe(61); // floor(1,234.56 ₽ × 5 %)
    expect(await db.select().from(purchases).where(eq(purchases.partnerId, partnerId))).toHaveLength(1);
    expect(await db.select().from(ledgerEntries).where(eq(ledgerEntries.kind, "accrual"))).toHaveLength(1);
    expect(await balanceOf(db, clientId)).toBe(61);
  });
});
