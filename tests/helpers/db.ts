import { sql } from "drizzle-orm";
import { afterAll, beforeEach } from "vitest";
import { closeDb, createDb, type Db } from "../../db/client.js";
import { testDatabaseUrl } from "./env.js";

const tables = [
  "nps_ratings",
  "ledger_entries",
  "redemption_requests",
  "purchases",
  "referrals",
  "balances",
  "clients",
  "services",
  "promotions",
  "partner_staff",
  "partners",
  "audit_log",
  "jobs",
  "admins",
  "user_settings",
  "client_segments",
  "broadcast_deliveries",
  "broadcasts",
  "code_attempt_failures",
  "dashboard_login_links",
  "dashboard_sessions",
  "ledger_totals",
];

export async function resetDb(db: Db): Promise<void> {
  // TRUNCATE is not an UPDATE or DELETE, so the ledger's append-only trigger does not fire.
  await db.execute(sql.raw(`TRUNCATE ${tables.join(", ")} RESTART IDENTITY CASCADE`));
  await db.execute(sql`UPDATE network_settings SET settings = '{}'::jsonb WHERE id = 1`);
}

/** A connection pool to the test database, emptied before each test of the file that calls this. */
export function useTestDb(options: { max?: number } = {}): Db {
  const db = createDb(testDatabaseUrl, { max: options.max ?? 20 });
  beforeEach(async () => {
    await resetDb(db);
  });
  afterAll(async () => {
    await closeDb(db);
  });
  return db;
}

/** Row counts of every money- and state-bearing table: "nothing written" is asserted by comparing two of these. */
export async function rowCounts(db: Db): Promise<Record<string, number>> {
  const parts = tables.map((t) => `(SELECT count(*) FROM ${t}) AS ${t}`).join(", ");
  const [row] = await db.execute<Record<string, string>>(sql.raw(`SELECT ${parts}`));
  return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)]));
}
