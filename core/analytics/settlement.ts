import { sql } from "drizzle-orm";
import { at, type DbOrTx } from "../../db/client.js";
import { csvBom, csvLine } from "../exports/csv.js";
import type { Period } from "./period.js";

export type SettlementRow = { partnerId: number; partnerName: string; issued: number; redeemedHere: number; net: number };
export type Settlement = { rows: SettlementRow[]; totals: { issued: number; redeemedHere: number; net: number } };

/**
 * Settlement between partners for a period (the coalition report): per partner, the points it gave out (its checks'
 * cashback and the welcome and referral bonuses booked to it) and the points clients paid with at it, both net of
 * undos, exactly as `partnerStats` counts them; `net` = issued − redeemedHere: positive, the partner owes the network
 * for points clients may spend elsewhere; negative, the network owes it for points earned elsewhere and spent there.
 * Every approved or blocked partner with such a row in the period, by name. Adjustments, expiries, forfeitures and
 * merges belong to no partner and are not settled.
 */
export async function settlement(db: DbOrTx, input: { period: Period }): Promise<Settlement> {
  const rows = await db.execute<{ partner_id: string; partner_name: string; issued: string; redeemed: string }>(sql`
    SELECT p.id AS partner_id, p.name AS partner_name, s.issued, s.redeemed
    FROM (
      SELECT partner_id,
        COALESCE(sum(points) FILTER (WHERE kind IN ('accrual', 'welcome_bonus', 'referral_bonus') OR (kind = 'reversal' AND points < 0)), 0) AS issued,
        COALESCE(-sum(points) FILTER (WHERE kind = 'redemption' OR (kind = 'reversal' AND points > 0)), 0) AS redeemed
      FROM ledger_entries
      WHERE created_at >= ${at(input.period.since)} AND created_at < ${at(input.period.until)} AND partner_id IS NOT NULL
        AND kind IN ('accrual', 'welcome_bonus', 'referral_bonus', 'redemption', 'reversal')
      GROUP BY partner_id) s
    JOIN partners p ON p.id = s.partner_id
    WHERE p.status IN ('approved', 'blocked')
    ORDER BY p.name, p.id`);
  const items = rows.map((r) => {
    const issued = Number(r.issued);
    const redeemedHere = Number(r.redeemed);
    return { partnerId: Number(r.partner_id), partnerName: r.partner_name, issued, redeemedHere, net: issued - redeemedHere };
  });
  const issued = items.reduce((s, r) => s + r.issued, 0);
  const redeemedHere = items.reduce((s, r) => s + r.redeemedHere, 0);
  return { rows: items, totals: { issued, redeemedHere, net: issued - redeemedHere } };
}

const totalLabel = { ru: "Итого", en: "Total" } as const;

/**
 * The settlement as CSV: a byte order mark, the header of stable ids (the dashboard labels them), a row per partner
 * and a last row of totals (no partner id; its name cell says "Total" in the reader's language).
 */
export function settlementCsv(report: Settlement, language: "ru" | "en"): string {
  return (
    csvBom +
    csvLine(["partner_id", "partner_name", "issued", "redeemed_here", "net"]) +
    report.rows.map((r) => csvLine([r.partnerId, r.partnerName, r.issued, r.redeemedHere, r.net])).join("") +
    csvLine([null, totalLabel[language], report.totals.issued, report.totals.redeemedHere, report.totals.net])
  );
}
