// Applies every committed migration that has not run yet; safe to run twice. `npm run db:migrate` (migrate.ts at
// the root) runs it with DATABASE_URL from the config, the sandbox and the tests with their own connection.
import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import type { Db } from "./client.js";

export const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

export async function runMigrations(db: Db): Promise<void> {
  await migrate(db, { migrationsFolder });
}
