import { FluentBundle, FluentResource, type FluentVariable } from "@fluent/bundle";

export type Language = "ru" | "en";
export type Translate = (key: string, args?: Record<string, FluentVariable>) => string;

/**
 * The pages' strings live in Fluent files (locales/ru.ftl and en.ftl next to each page), as the bots' do. A page
 * imports both files as text (`?raw`) and gets a `t` for a language; a missing key shows the key itself (and the
 * locale test keeps the two files' keys equal).
 */
export function createTranslator(sources: Record<Language, string>, language: Language): Translate {
  const bundle = new FluentBundle(language === "ru" ? "ru-RU" : "en-GB", { useIsolating: false });
  bundle.addResource(new FluentResource(sources[language]));
  return (key, args) => {
    const message = bundle.getMessage(key);
    if (!message?.value) return key;
    return bundle.formatPattern(message.value, args);
  };
}

/** The language to show first: the one asked for if it is ours, else Russian (the network's default). */
export const pickLanguage = (code: string | null | undefined): Language => (code?.toLowerCase().startsWith("en") ? "en" : "ru");

/** Kopecks as rubles in the language's format ("1 234,50 ₽" / "₽1,234.50"), without a fraction when it is whole. */
export function formatRubles(kopecks: number, language: Language): string {
  const whole = kopecks % 100 === 0;
  return new Intl.NumberFormat(language === "ru" ? "ru-RU" : "en-GB", {
    style: "currency",
    currency: "RUB",
    minimumFractionDigits: whole ? 0 : 2,
    maximumFractionDigits: 2,
  }).format(kopecks / 100);
}

/** A whole number in the language's format (thousands separated). */
export const formatNumber = (n: number, language: Language) => new Intl.NumberFormat(language === "ru" ? "ru-RU" : "en-GB").format(n);

/** A date-time (Moscow, as the bots show it). */
export const formatDateTime = (iso: string, language: Language) =>
  new Intl.DateTimeFormat(language === "ru" ? "ru-RU" : "en-GB", { dateStyle: "short", timeStyle: "short", timeZone: "Europe/Moscow" }).format(new Date(iso));

/** A date (Moscow). */
export const formatDate = (iso: string, language: Language) =>
  new Intl.DateTimeFormat(language === "ru" ? "ru-RU" : "en-GB", { dateStyle: "medium", timeZone: "Europe/Moscow" }).format(new Date(iso));
