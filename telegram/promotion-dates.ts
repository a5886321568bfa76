/** A promotion's first and last day as the reader writes dates ("01.12.2026" / "01/12/2026"), Moscow time. */
export function promotionDates(dateLocale: string, startsAt: Date, endsAt: Date): { from: string; until: string } {
  const format = new Intl.DateTimeFormat(dateLocale, { day: "2-digit", month: "2-digit", year: "numeric", timeZone: "Europe/Moscow" });
  return { from: format.format(startsAt), until: format.format(endsAt) };
}
