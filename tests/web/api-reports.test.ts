import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { overviewResponse, settlementResponse } from "../../web/api.js";
import { analyticsDate } from "../../core/analytics/nightly.js";
import { accrue } from "../../core/ledger/service.js";
import { makeClient, makePartner, setSettings } from "../helpers/fixtures.js";
import { maxConcurrentExports } from "../../web/server/routes/dashboard/reports.js";
import { adminIdentity, call, errorOf, ownerIdentity, signIn, useWebApp } from "./api-helpers.js";

const ctx = useWebApp();
const { app, db, clock } = ctx;

async function twoPartnersWithChecks() {
  await setSettings(db, { welcomeBonus: 0 });
  const a = await makePartner(db, "Кофейня А");
  const b = await makePartner(db, "Пекарня Б");
  const clientA = await makeClient(db, 0, { startPayload: `p_${a.partner.code}` });
  const clientB = await makeClient(db, 0, { startPayload: `p_${b.partner.code}` });
  await accrue(db, { partnerId: a.partnerId, staffTelegramId: a.staffTelegramId, clientId: clientA.clientId, amountKopecks: 200_000, receiptNumber: "A-1" });
  await accrue(db, { partnerId: b.partnerId, staffTelegramId: b.staffTelegramId, clientId: clientB.clientId, amountKopecks: 300_000, receiptNumber: "B-1" });
  return { a, b, clientA, clientB };
}

/** The rows of a CSV body (BOM dropped), each split on commas (the test data has none inside cells). */
const csvRows = (text: string) => text.replace(/^\uFEFF/, "").trimEnd().split("\r\n").map((line) => line.split(","));

describe("dashboard reports", () => {
  it("overview: the network for an admin, its own for a partner, every day of the period present", async () => {
    const { a } = await twoPartnersWithChecks();
    const today = analyticsDate(clock.now());
    const admin = await signIn(ctx, adminIdentity);
    const network = overviewResponse.parse(await (await call(app, "GET", "/api/dashboard/overview", admin)).json());
    expect(network.to).toBe(today);
    expect(network.days).toHaveLength(30);
    expect(network.totals).toMatchObject({ turnoverKopecks: 500_000, checks: 2, newClients: 2 });
    const owner = await signIn(ctx, ownerIdentity(a));
    const own = overviewResponse.parse(await (await call(app, "GET", `/api/dashboard/overview?from=${today}&to=${today}`, owner)).json());
    expect(own.days.map((d) => d.day)).toEqual([today]);
    expect(own.totals).toMatchObject({ turnoverKopecks: 200_000, checks: 1 });
  });

  it("settlement: per partner, as JSON and as a CSV download with a dated file name", async () => {
    await twoPartnersWithChecks();
    const today = analyticsDate(clock.now());
    const admin = await signIn(ctx, adminIdentity);
    const report = settlementResponse.parse(await (await call(app, "GET", `/api/dashboard/settlement?from=${today}&to=${today}`, admin)).json());
    expect(report.rows.map((r) => r.partnerName)).toEqual(["Кофейня А", "Пекарня Б"]);
    expect(report.totals.issued).toBe(report.rows.reduce((sum, r) => sum + r.issued, 0));
    const res = await call(app, "GET", `/api/dashboard/settlement.csv?from=${today}&to=${today}`, admin);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="settlement-${today}-${today}.csv"`);
    const rows = csvRows(await res.text());
    expect(rows[0]).toEqual(["partner_id", "partner_name", "issued", "redeemed_here", "net"]);
    expect(rows.slice(1, 3).map((r) => [r[1], Number(r[2])])).toEqual(report.rows.map((r) => [r.partnerName, r.issued]));
  });

  it("exports stream a CSV with a BOM, the header row and the period's rows; a partner gets only its own", async () => {
    const { a, clientA } = await twoPartnersWithChecks();
    const today = analyticsDate(clock.now());
    const admin = await signIn(ctx, adminIdentity);
    const owner = await signIn(ctx, ownerIdentity(a));
    for (const kind of ["clients", "ledger", "purchases"] as const) {
      const res = await call(app, "GET", `/api/dashboard/export/${kind}.csv?from=${today}&to=${today}`, admin);
      expect(res.status, kind).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${kind}-${today}-${today}.csv"`);
      const bytes = Buffer.from(await res.arrayBuffer());
      // Response.text() would drop the byte order mark: read the bytes (Excel needs it to read Cyrillic).
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const body = bytes.subarray(3).toString("utf8");
      expect(body.startsWith("id,")).toBe(true);
      expect(csvRows(body)).toHaveLength(3); // the header and one row per partner's client / check / accrual
      const own = csvRows(await (await call(app, "GET", `/api/dashboard/export/${kind}.csv?from=${today}&to=${today}`, owner)).text());
      expect(own, kind).toHaveLength(2);
      if (kind !== "clients") expect(own[1]!.join(",")).toContain(String(clientA.clientId));
    }
    // A period with nothing in it: the header alone.
    const empty = csvRows(await (await call(app, "GET", "/api/dashboard/export/purchases.csv?from=2026-01-01&to=2026-01-02", admin)).text());
    expect(empty).toHaveLength(1);
  });

  it("a partner's owner is refused the settlement (admin only)", async () => {
    const { a } = await twoPartnersWithChecks();
    const owner = await signIn(ctx, ownerIdentity(a));
    for (const path of ["/api/dashboard/settlement", "/api/dashboard/settlement.csv"]) {
      const res = await call(app, "GET", path, owner);
      expect(res.status).toBe(403);
      expect((await errorOf(res)).code).toBe("FORBIDDEN");
    }
  });

  it("at most three exports stream at once (each holds a database connection); the fourth is asked to wait", async () => {
    // More clients than one chunk of CSV holds, so a download not read stays open.
    await db.execute(sql`INSERT INTO clients (telegram_id, first_name, referral_code) SELECT 500000 + g, 'Клиент ' || g, 'EXP' || g FROM generate_series(1, 2000) g`);
    const today = analyticsDate(new Date());
    const path = `/api/dashboard/export/clients.csv?from=${today}&to=${today}`;
    const admin = await signIn(ctx, adminIdentity);
    const open = [];
    for (let i = 0; i < maxConcurrentExports; i++) {
      const res = await call(app, "GET", path, admin);
      expect(res.status).toBe(200);
      open.push(res);
    }
    const refused = await call(app, "GET", path, admin);
    expect(refused.status).toBe(429);
    expect((await errorOf(refused)).code).toBe("EXPORT_BUSY");
    // One finished download frees its place.
    expect((await open.pop()!.text()).split("\r\n").length).toBeGreaterThan(2_000);
    const next = await call(app, "GET", path, admin);
    expect(next.status).toBe(200);
    await next.body?.cancel();
    for (const res of open) await res.body?.cancel();
  });
});
