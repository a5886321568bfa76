import postgres from "postgres";
import { closeDb, createDb } from "../../db/client.js";
import { runMigrations } from "../../db/migrate.js";
import { adminDatabaseUrl, testDatabaseName, testDatabaseUrl } from "./env.js";

/** A brand-new test database per run, built by the committed migrations (so they are tested too). */
export default async function setup() {
  const admin = postgres(adminDatabaseUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS "${testDatabaseName}" WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE "${testDatabaseName}"`);
  } finally {
    await admin.end();
  }
  const db = createDb(testDatabaseUrl, { max: 1 });
  try {
    await runMigrations(db);
    await runMigrations(db); // a second run must be a no-op
  } finally {
    await closeDb(db);
  }
}
