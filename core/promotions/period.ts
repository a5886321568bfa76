import { addDays, startOfDay } from "../clock.js";

/** The longest a promotion may run (a year, leap years included), and how far ahead it may start (days). */
export const maxPromotionDays = 366;
export const maxPromotionStartAheadDays = 365;

/** Why a period was refused; the bot shows `promo-period-<reason>`. */
export type PeriodProblem = "invalid" | "order" | "past" | "too-long" | "too-far";
export type Period = { startsAt: Date; endsAt: Date };

/** Moscow midnight of a calendar date, or null when the date does not exist (31.02). */
function moscowMidnight(year: number, month: number, day: number): Date | null {
  const noon = new Date(Date.UTC(year, month - 1, day, 12));
  if (noon.getUTCFullYear() !== year || noon.getUTCMonth() !== month - 1 || noon.getUTCDate() !== day) return null;
  return startOfDay(noon);
}

/** The Moscow calendar year of an instant. */
const moscowYear = (d: Date) => Number(new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Moscow", year: "numeric" }).format(d));

type DateToken = { day: number; month: number; year: number | null };

const datePattern = /(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})[./](\d{1,2})(?:[./](\d{4}|\d{2}))?(?!\d)/g;

/** The dates in the text, if the text is nothing but one or two dates and a separator between them. */
function dateTokens(text: string): DateToken[] | null {
  const tokens: DateToken[] = [];
  const rest: string[] = [];
  let last = 0;
  for (const m of text.matchAll(datePattern)) {
    rest.push(text.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[1]) tokens.push({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) });
    else tokens.push({ day: Number(m[4]), month: Number(m[5]), year: m[6] ? (m[6].length === 2 ? 2000 + Number(m[6]) : Number(m[6])) : null });
  }
  rest.push(text.slice(last));
  if (tokens.length === 0 || tokens.length > 2) return null;
  // Before, between and after the dates: only spaces and a range separator ("-", "–", "—", "..", "по", "to").
  const [before, between, after] = [rest[0]!, tokens.length === 2 ? rest[1]! : "", rest[tokens.length]!];
  if (!/^\s*(с|from)?\s*$/i.test(before) || !/^\s*$/.test(after)) return null;
  if (tokens.length === 2 && !/^\s*(-|–|—|\.\.|по|to|до|until)?\s*$/i.test(between)) return null;
  return tokens;
}

/**
 * A promotion's period as people type it: "01.12.2026–31.12.2026", "01.12–31.12", "1/12/26 - 31/12/26",
 * "2026-12-01 2026-12-31", or one date ("31.12": from today until then). A date without a year is the next such
 * date (a date up to 30 days ago is taken as this year's, and then refused as past). The period runs from the
 * start day's Moscow midnight to the end of the end day; it must not end before it starts, not start before
 * today, last at most `maxPromotionDays` and start within `maxPromotionStartAheadDays`.
 */
export function parsePromotionPeriod(text: string, now: Date): { ok: true; value: Period } | { ok: false; reason: PeriodProblem } {
  const tokens = dateTokens(text.trim());
  if (!tokens) return { ok: false, reason: "invalid" };
  const today = startOfDay(now);
  const thisYear = moscowYear(now);
  const resolve = (t: DateToken, year: number) => moscowMidnight(year, t.month, t.day);

  let start: Date | null;
  let endToken: DateToken;
  if (tokens.length === 1) {
    start = today;
    endToken = tokens[0]!;
  } else {
    const s = tokens[0]!;
    endToken = tokens[1]!;
    if (s.year !== null) start = resolve(s, s.year);
    else if (endToken.year !== null) {
      start = resolve(s, endToken.year);
      const end = resolve(endToken, endToken.year);
      if (start && end && start > end) start = resolve(s, endToken.year - 1);
    } else {
      start = resolve(s, thisYear);
      if (start && start < addDays(today, -30)) start = resolve(s, thisYear + 1);
    }
  }
  if (!start) return { ok: false, reason: "invalid" };

  let endDay: Date | null;
  if (endToken.year !== null) endDay = resolve(endToken, endToken.year);
  else {
    const fromYear = moscowYear(addDays(start, 0.5));
    endDay = resolve(endToken, fromYear);
    // "15.12–15.01": the end is in the next year; a lone date already past this year means next year's.
    if (endDay && endDay < start && (tokens.length === 2 || endDay < addDays(today, -30))) endDay = resolve(endToken, fromYear + 1);
  }
  if (!endDay) return { ok: false, reason: "invalid" };
  const endsAt = new Date(startOfDay(addDays(endDay, 1.5)).getTime() - 1);
  return checkPromotionPeriod({ startsAt: start, endsAt }, now);
}

/** The rules every promotion's period keeps, whoever typed it (the bot's parser and `createPromotion` both check). */
export function checkPromotionPeriod(period: Period, now: Date): { ok: true; value: Period } | { ok: false; reason: PeriodProblem } {
  const today = startOfDay(now);
  if (period.endsAt < now) return { ok: false, reason: "past" };
  if (period.endsAt < period.startsAt) return { ok: false, reason: "order" };
  if (period.startsAt < today) return { ok: false, reason: "past" };
  if (period.startsAt > addDays(today, maxPromotionStartAheadDays)) return { ok: false, reason: "too-far" };
  if (period.endsAt.getTime() - period.startsAt.getTime() > maxPromotionDays * 24 * 3_600_000) return { ok: false, reason: "too-long" };
  return { ok: true, value: period };
}
