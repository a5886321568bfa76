import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { I18n, type I18nFlavor } from "@grammyjs/i18n";
import type { Context } from "grammy";
import type { Db } from "../db/client.js";
import { chosenLanguage, type Language } from "../core/users/service.js";
import type { BotName } from "./bot-name.js";

/** What choosing an update's language needs: who sent it, and the database that keeps the language they chose. */
export type LocalizedContext = Context & I18nFlavor & { deps: { db: Db } };

/** `ctx.t`: a key and its variables to text in the update's language (the worker builds one for a given language). */
export type Translate = I18nFlavor["t"];

// The strings live with the bots that say them: bots/shared/locales for all three, bots/<bot>/locales for each.
const localeFile = (dir: BotName | "shared", language: Language) => readFileSync(fileURLToPath(new URL(`../bots/${dir}/locales/${language}.ftl`, import.meta.url)), "utf8");

/**
 * Fluent bundles for one bot: the shared strings plus the bot's own. Russian is the default; the language is the
 * one the user chose with /language (stored in Postgres), else English if their Telegram app is in English.
 */
export function createI18n(bot: BotName): I18n<LocalizedContext> {
  const i18n = new I18n<LocalizedContext>({
    defaultLocale: "ru",
    useSession: false,
    fluentBundleOptions: { useIsolating: false },
    localeNegotiator: async (ctx) => {
      const id = ctx.from?.id;
      // If the choice cannot be read (the database is down), the user still gets an answer in a sensible language.
      const chosen = id === undefined ? undefined : await chosenLanguage(ctx.deps.db, id).catch(() => undefined);
      return chosen ?? telegramLanguage(ctx);
    },
  });
  for (const language of ["ru", "en"] as const) {
    i18n.loadLocaleSync(language, { source: `${localeFile("shared", language)}\n${localeFile(bot, language)}` });
  }
  return i18n;
}

/** Both languages' text of a key: for matching reply-keyboard buttons whatever the user's language. */
export const inAllLanguages = (i18n: Pick<I18n, "t">, key: string) => (["ru", "en"] as const).map((l) => i18n.t(l, key));


/** The language of the user's Telegram app, if we speak it; Russian otherwise. */
export const telegramLanguage = (ctx: { from?: { language_code?: string } }): "ru" | "en" => (ctx.from?.language_code?.startsWith("en") ? "en" : "ru");
