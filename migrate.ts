// `npm run db:migrate`: applies every committed migration that has not run yet. Safe to run twice.
// It lives here, with `npm start`'s main.ts, because it reads the config (core): db/ itself never imports core.
import { loadConfigOrExit } from "./core/config.js";
import { closeDb, createDb } from "./db/client.js";
import { runMigrations } from "./db/migrate.js";

const { DATABASE_URL } = loadConfigOrExit(["DATABASE_URL"]);
const db = createDb(DATABASE_URL, { max: 1 });
try {
  await runMigrations(db);
  process.stdout.write("migrations applied\n");
} finally {
  await closeDb(db);
}
