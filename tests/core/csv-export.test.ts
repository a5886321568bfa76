import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { clients } from "../../db/schema/index.js";
import { periodOf } from "../../core/analytics/period.js";
import { fixedClock } from "../../core/clock.js";
import { csvLine, exportCsv, type ExportKind } from "../../core/exports/csv.js";
import { accrue } from "../../core/ledger/service.js";
import { useTestDb } from "../helpers/db.js";
import { makeClient, makePartner, setSettings } from "../helpers/fixtures.js";

const db = useTestDb();
const period = periodOf({ from: "2026-11-01", to: "2026-11-30" }, new Date("2026-12-01T12:00:00Z"));

async function drain(kind: ExportKind, partnerId: number | null) {
  let text = "";
  for await (const chunk of exportCsv(db, { kind, partnerId, period })) text += chunk;
  expect(text.startsWith("\uFEFF")).toBe(true);
  return text.slice(1).split("\r\n").slice(0, -1);
}

describe("csvLine", () => {
  it("quotes per RFC 4180 and defuses formulas in text, never in numbers", () => {
    expect(csvLine([1, "plain", null, -20])).toBe("1,plain,,-20\r\n");
    expect(csvLine(['say "hi"', "a,b", "two\nlines", "cr\rx"])).toBe('"say ""hi""","a,b","two\nlines","cr\rx"\r\n');
    expect(csvLine(["=1+2", "+7916", "-5", "@SUM(A1)", "\tx", "\rx"])).toBe(`'=1+2,'+7916,'-5,'@SUM(A1),'\tx,"'\rx"\r\n`);
    expect(csvLine(['=HYPERLINK("http://x")'])).toBe(`"'=HYPERLINK(""http://x"")"\r\n`);
    expect(csvLine(["Кофейня «Ромашка»", "a=b"])).toBe("Кофейня «Ромашка»,a=b\r\n");
  });
});

describe("exportCsv", () => {
  async function story() {
    await setSettings(db, { welcomeBonus: 0 });
    const a = await makePartner(db, "Кафе А");
    const b = await makePartner(db, "Кафе, Б");
    const anna = await makeClient(db, 0, { clock: fixedClock("2026-11-02T09:00:00Z") });
    const boris = await makeClient(db, 0, { startPayload: `p_${b.partner.code}`, clock: fixedClock("2026-11-03T09:00:00Z") });
    const early = await makeClient(db, 0, { clock: fixedClock("2026-10-31T20:59:59Z") });
    await db.update(clients).set({ firstName: "=cmd|' /C calc'!A0", phone: "+79161234504" }).where(eq(clients.id, anna.clientId));
    await db.update(clients).set({ firstName: "Борис", phone: "+79035550011" }).where(eq(clients.id, boris.clientId));
    await accrue(db, { partnerId: a.partnerId, staffTelegramId: a.staffTelegramId, clientId: anna.clientId, amountKopecks: 100_000, receiptNumber: "R-1" }, fixedClock("2026-11-05T09:00:00Z"));
    await accrue(db, { partnerId: b.partnerId, staffTelegramId: b.staffTelegramId, clientId: anna.clientId, amountKopecks: 40_000, receiptNumber: "+1" }, fixedClock("2026-11-06T09:00:00Z"));
    await accrue(db, { partnerId: a.partnerId, staffTelegramId: a.staffTelegramId, clientId: early.clientId, amountKopecks: 20_000, receiptNumber: "late" }, fixedClock("2026-11-30T21:00:00Z"));
    return { a, b, anna, boris, early };
  }

  it("the ledger: rows created in the period, oldest first; a partner gets only its own", async () => {
    const n = await story();
    const all = await drain("ledger", null);
    expect(all[0]).toBe("id,created_at,client_id,partner_id,partner_name,kind,points,balance_after,purchase_id,reverses_entry_id,shortfall,actor_type,reason");
    expect(all.slice(1)).toEqual([
      `1,2026-11-05T09:00:00.000Z,${n.anna.clientId},${n.a.partnerId},Кафе А,accrual,50,50,1,,0,staff,`,
      `2,2026-11-06T09:00:00.000Z,${n.anna.clientId},${n.b.partnerId},"Кафе, Б",accrual,20,70,2,,0,staff,`,
    ]);
    expect((await drain("ledger", n.b.partnerId)).slice(1)).toEqual([all[2]]);
  });

  it("purchases: the partner's own with masked phones; an admin sees the full phone; text cells are defused", async () => {
    const n = await story();
    const all = await drain("purchases", null);
    expect(all[0]).toBe("id,created_at,partner_id,partner_name,client_id,client_phone,receipt_number,amount_kopecks,tier,rate_bp,points_accrued,cancelled_at");
    expect(all.slice(1)).toEqual([
      `1,2026-11-05T09:00:00.000Z,${n.a.partnerId},Кафе А,${n.anna.clientId},+79161234504,R-1,100000,bronze,500,50,`,
      `2,2026-11-06T09:00:00.000Z,${n.b.partnerId},"Кафе, Б",${n.anna.clientId},+79161234504,'+1,40000,bronze,500,20,`,
    ]);
    expect((await drain("purchases", n.b.partnerId)).slice(1)).toEqual([
      `2,2026-11-06T09:00:00.000Z,${n.b.partnerId},"Кафе, Б",${n.anna.clientId},'+7916***-**-04,'+1,40000,bronze,500,20,`,
    ]);
  });

  it("clients who joined in the period; a partner's scope only, phones masked", async () => {
    const n = await story();
    const all = await drain("clients", null);
    expect(all[0]).toBe("id,joined_at,first_name,username,phone,language,status,source_partner_id,balance");
    expect(all.slice(1)).toEqual([
      `${n.anna.clientId},2026-11-02T09:00:00.000Z,'=cmd|' /C calc'!A0,,+79161234504,ru,active,,70`,
      `${n.boris.clientId},2026-11-03T09:00:00.000Z,Борис,,+79035550011,ru,active,${n.b.partnerId},0`,
    ]);
    // B's: Boris joined by its link, Anna bought there.
    expect((await drain("clients", n.b.partnerId)).slice(1)).toEqual([
      `${n.anna.clientId},2026-11-02T09:00:00.000Z,'=cmd|' /C calc'!A0,,'+7916***-**-04,ru,active,,70`,
      `${n.boris.clientId},2026-11-03T09:00:00.000Z,Борис,,'+7903***-**-11,ru,active,${n.b.partnerId},0`,
    ]);
    expect((await drain("clients", n.a.partnerId)).slice(1).map((l) => l.split(",")[0])).toEqual([String(n.anna.clientId)]);
  });

  it("streams in chunks and stops reading when the consumer stops", async () => {
    await setSettings(db, { welcomeBonus: 0 });
    for (let i = 0; i < 2_500; i += 500) {
      // 2 500 clients joined on 10 Nov, straight into the table (the export reads rows; how they came does not matter).
      await db.execute(sql`INSERT INTO clients (first_name, referral_code, created_at)
        SELECT 'c' || g, 'X' || g, '2026-11-10T09:00:00Z' FROM generate_series(${i + 1}::int, ${i + 500}::int) g`);
    }
    const chunks: string[] = [];
    for await (const chunk of exportCsv(db, { kind: "clients", partnerId: null, period })) chunks.push(chunk);
    // The header, then one chunk per 1 000 rows.
    expect(chunks.map((c) => c.split("\r\n").length - 1)).toEqual([1, 1_000, 1_000, 500]);
    const iterator = exportCsv(db, { kind: "clients", partnerId: null, period })[Symbol.asyncIterator]();
    const openCursors = async () => {
      const [row] = await db.execute<{ n: string }>(sql`SELECT count(*) AS n FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')`);
      return Number(row!.n);
    };
    await iterator.next();
    await iterator.next();
    expect(await openCursors()).toBe(1);
    await iterator.return?.(undefined);
    // The cursor's portal is closed by a message postgres.js sends as the loop ends: a moment later, not before return() resolves.
    await expect.poll(openCursors, { timeout: 5_000 }).toBe(0);
  });
});
