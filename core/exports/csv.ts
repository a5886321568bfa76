import type { Db } from "../../db/client.js";
import type { Period } from "../analytics/period.js";
import { maskPhone } from "../clients/phone.js";

/** A cell a spreadsheet would run as a formula starts with one of these; such a text cell gets a leading `'`. */
const formulaStart = /^[=+\-@\t\r]/;

/** A phone in E.164 (+79161234504) is data a spreadsheet shows as it is, not a formula: it keeps its `+`. */
const e164 = /^\+[1-9]\d{7,14}$/;

function csvCell(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  const text = formulaStart.test(value) && !e164.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * One CSV record (RFC 4180: comma-separated, CRLF-terminated, a field with a quote, comma or line break quoted and
 * its quotes doubled). Text that a spreadsheet would take for a formula (starting with = + - @, a tab or CR) is
 * prefixed with `'`, except a phone number in E.164; numbers are written as they are, so a negative number stays a number.
 */
export const csvLine = (cells: readonly (string | number | null)[]): string => `${cells.map(csvCell).join(",")}\r\n`;

/** Excel opens UTF-8 (Cyrillic names) correctly only with a byte order mark. */
export const csvBom = "\uFEFF";

export type ExportKind = "clients" | "ledger" | "purchases";

type Raw = Record<string, unknown>;
/** How a column is written: a number (bigint columns arrive as text), text, an instant (ISO), or a phone (masked for a partner). */
type Column = { name: string; as: "number" | "text" | "time" | "phone" };

const column = (name: string, as: Column["as"] = "text"): Column => ({ name, as });

type ExportQuery = { columns: Column[]; text: string; params: (string | number)[] };

/**
 * The query of each export, its columns in order (the header row is their names: stable English ids the dashboard
 * labels). Rows are read in `created_at` order on the period indexes. A partner's export holds only its own: ledger
 * rows and checks at it, and the clients in its scope (joined through its link or a standing check there, as the
 * client directory); their phones are masked.
 */
function exportQuery(kind: ExportKind, partnerId: number | null, period: Period): ExportQuery {
  const params: (string | number)[] = [period.since.toISOString(), period.until.toISOString()];
  const partnerParam = () => {
    params.push(partnerId!);
    return `$${params.length}`;
  };
  switch (kind) {
    case "ledger":
      return {
        columns: [
          column("id", "number"),
          column("created_at", "time"),
          column("client_id", "number"),
          column("partner_id", "number"),
          column("partner_name"),
          column("kind"),
          column("points", "number"),
          column("balance_after", "number"),
          column("purchase_id", "number"),
          column("reverses_entry_id", "number"),
          column("shortfall", "number"),
          column("actor_type"),
          column("reason"),
        ],
        text: `SELECT e.id, e.created_at, e.client_id, e.partner_id, p.name AS partner_name, e.kind, e.points, e.balance_after,
                 e.purchase_id, e.reverses_entry_id, e.shortfall, e.actor_type, e.reason
               FROM ledger_entries e LEFT JOIN partners p ON p.id = e.partner_id
               WHERE e.created_at >= $1::timestamptz AND e.created_at < $2::timestamptz
                 ${partnerId === null ? "" : `AND e.partner_id = ${partnerParam()}`}
               ORDER BY e.created_at, e.id`,
        params,
      };
    case "purchases":
      return {
        columns: [
          column("id", "number"),
          column("created_at", "time"),
          column("partner_id", "number"),
          column("partner_name"),
          column("client_id", "number"),
          column("client_phone", "phone"),
          column("receipt_number"),
          column("amount_kopecks", "number"),
          column("tier"),
          column("rate_bp", "number"),
          column("points_accrued", "number"),
          column("cancelled_at", "time"),
        ],
        text: `SELECT u.id, u.created_at, u.partner_id, p.name AS partner_name, u.client_id, c.phone AS client_phone, u.receipt_number,
                 u.amount_kopecks, u.tier, u.rate_bp, u.points_accrued, u.cancelled_at
               FROM purchases u JOIN partners p ON p.id = u.partner_id JOIN clients c ON c.id = u.client_id
               WHERE u.created_at >= $1::timestamptz AND u.created_at < $2::timestamptz
                 ${partnerId === null ? "" : `AND u.partner_id = ${partnerParam()}`}
               ORDER BY u.created_at, u.id`,
        params,
      };
    case "clients": {
      const scope =
        partnerId === null
          ? ""
          : (() => {
              const p = partnerParam();
              return `AND (c.source_partner_id = ${p} OR c.id IN (SELECT client_id FROM purchases WHERE partner_id = ${p} AND cancelled_at IS NULL))`;
            })();
      return {
        columns: [
          column("id", "number"),
          column("joined_at", "time"),
          column("first_name"),
          column("username"),
          column("phone", "phone"),
          column("language"),
          column("status"),
          column("source_partner_id", "number"),
          column("balance", "number"),
        ],
        text: `SELECT c.id, c.created_at AS joined_at, c.first_name, c.username, c.phone, c.language, c.status, c.source_partner_id,
                 COALESCE(b.points, 0) AS balance
               FROM clients c LEFT JOIN balances b ON b.client_id = c.id
               WHERE c.status IN ('active', 'blocked') AND c.created_at >= $1::timestamptz AND c.created_at < $2::timestamptz ${scope}
               ORDER BY c.created_at, c.id`,
        params,
      };
    }
  }
}

function cellOf(value: unknown, as: Column["as"], maskPhones: boolean): string | number | null {
  if (value === null || value === undefined) return null;
  switch (as) {
    case "number":
      return Number(value);
    case "time":
      return (value instanceof Date ? value : new Date(String(value))).toISOString();
    case "phone":
      return maskPhones ? maskPhone(String(value)) : String(value);
    case "text":
      return String(value);
  }
}

/** Rows fetched from the cursor at a time: one chunk of output each. */
const cursorRows = 1_000;

/**
 * A CSV export, streamed: a byte order mark and the header row, then one chunk per 1,000 rows read through a
 * postgres.js cursor, so a million rows take the memory of a thousand. The caller pulls (backpressure); stopping
 * early (`return()` on the iterator) closes the cursor. Ledger rows and checks created in the period, or clients
 * who joined in it (active or blocked); a partner gets only its own, with phones masked.
 */
export async function* exportCsv(db: Db, input: { kind: ExportKind; partnerId: number | null; period: Period }): AsyncGenerator<string, void, undefined> {
  const query = exportQuery(input.kind, input.partnerId, input.period);
  const maskPhones = input.partnerId !== null;
  yield csvBom + csvLine(query.columns.map((c) => c.name));
  // A connection of its own for the cursor's life: postgres.js lends a pooled connection to other queries between two
  // fetches of a cursor, and two cursors on one connection cut each other short (a file silently missing rows).
  const connection = await db.$client.reserve();
  try {
    for await (const batch of connection.unsafe<Raw[]>(query.text, query.params).cursor(cursorRows)) {
      let chunk = "";
      for (const row of batch) chunk += csvLine(query.columns.map((c) => cellOf(row[c.name], c.as, maskPhones)));
      yield chunk;
    }
  } finally {
    connection.release();
  }
}
