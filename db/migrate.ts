// `npm run db:migrate`: applies every committed migration that has not run yet. Safe to run twice.
import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { loadConfigOrExit } from "../core/config.js";
import { closeDb, createDb, type Db } from "./client.js";

export const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

export async function runMigrations(db: Db): Promise<void> {
  await migrate(db, { migrationsFolder });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { DATABASE_URL } = loadConfigOrExit(["DATABASE_URL"]);
  const db = createDb(DATABASE_URL, { max: 1 });
  try {
    await runMigrations(db);
    process.stdout.write("migrations applied\n");
  } finally {
    await closeDb(db);
  }
}
