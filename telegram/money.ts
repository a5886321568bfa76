/** Kopecks as "1 234,56 ₽" / "1,234.56 ₽" for the user's language. */
export function formatRubles(kopecks: number, language: string): string {
  return `${new Intl.NumberFormat(language === "en" ? "en-US" : "ru-RU", { minimumFractionDigits: kopecks % 100 === 0 ? 0 : 2, maximumFractionDigits: 2 }).format(kopecks / 100)} ₽`;
}
