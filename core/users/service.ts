import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.js";
import { admins, clients, userSettings } from "../../db/schema/index.js";

export type Language = "ru" | "en";
export const languages: readonly Language[] = ["ru", "en"];
export const isLanguage = (x: unknown): x is Language => x === "ru" || x === "en";

/** The language a Telegram user chose in any of the bots, if they chose one. */
export async function chosenLanguage(db: DbOrTx, telegramId: number): Promise<Language | undefined> {
  const [row] = await db.select({ language: userSettings.language }).from(userSettings).where(eq(userSettings.telegramId, telegramId));
  return row?.language;
}

/** Stores the choice for every bot; a client's row follows, so notifications are sent in it too. */
export async function chooseLanguage(db: DbOrTx, telegramId: number, language: Language): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .insert(userSettings)
      .values({ telegramId, language })
      .onConflictDoUpdate({ target: userSettings.telegramId, set: { language, updatedAt: sql`now()` } });
    await tx.update(clients).set({ language }).where(eq(clients.telegramId, telegramId));
  });
}

/** Admins are those listed in ADMIN_IDS plus those granted in the database. */
export async function isAdmin(db: DbOrTx, configured: readonly number[], telegramId: number): Promise<boolean> {
  if (configured.includes(telegramId)) return true;
  const [row] = await db.select({ id: admins.telegramId }).from(admins).where(eq(admins.telegramId, telegramId));
  return row !== undefined;
}

export async function allAdminIds(db: DbOrTx, configured: readonly number[]): Promise<number[]> {
  const granted = await db.select({ id: admins.telegramId }).from(admins);
  return [...new Set([...configured, ...granted.map((r) => r.id)])];
}
