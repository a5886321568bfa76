import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { createTranslator, pickLanguage, type Language, type Translate } from "../shared/i18n.js";
import en from "./locales/en.ftl?raw";
import ru from "./locales/ru.ftl?raw";

const sources = { ru, en };
const storageKey = "cashback-dashboard:language";

export type Locale = { language: Language; t: Translate; setLanguage(language: Language): void };

export const translatorFor = (language: Language) => createTranslator(sources, language);

/** The language chosen in this browser with the switch, if any (it wins over the one from the bots). */
export function savedLanguage(): Language | null {
  try {
    const saved = localStorage.getItem(storageKey);
    return saved === "ru" || saved === "en" ? saved : null;
  } catch {
    return null;
  }
}

export function saveLanguage(language: Language): void {
  try {
    localStorage.setItem(storageKey, language);
  } catch {
    // a browser without storage keeps the choice until the page closes
  }
}

/** Before sign-in there is no `me`: the saved choice, else the browser's language. */
export const initialLanguage = (): Language => savedLanguage() ?? pickLanguage(navigator.language);

export const LocaleContext = createContext<Locale>({ language: "ru", t: translatorFor("ru"), setLanguage: () => {} });
export const useLocale = () => useContext(LocaleContext);
