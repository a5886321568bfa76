import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { I18n } from "@grammyjs/i18n";
import { chosenLanguage, type Language } from "../../core/users/service.js";
import type { BaseContext } from "./context.js";
import type { BotName } from "./deps.js";

const localeFile = (dir: string, language: Language) => readFileSync(fileURLToPath(new URL(`../${dir}/locales/${language}.ftl`, import.meta.url)), "utf8");

/**
 * Fluent bundles for one bot: the shared strings plus the bot's own. Russian is the default; the language is the
 * one the user chose with /language (stored in Postgres), else English if their Telegram app is in English.
 */
export function createI18n(bot: BotName): I18n<BaseContext> {
  const i18n = new I18n<BaseContext>({
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
export const inAllLanguages = (i18n: I18n<BaseContext>, key: string) => (["ru", "en"] as const).map((l) => i18n.t(l, key));


/** The language of the user's Telegram app, if we speak it; Russian otherwise. */
export const telegramLanguage = (ctx: { from?: { language_code?: string } }): "ru" | "en" => (ctx.from?.language_code?.startsWith("en") ? "en" : "ru");
