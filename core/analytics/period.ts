import { addDays, startOfDay } from "../clock.js";
import { DomainError } from "../errors.js";
import { analyticsDate } from "./nightly.js";

/**
 * A reporting period: the Moscow calendar days `from`..`to` (inclusive, YYYY-MM-DD) and the same as instants,
 * `[since, until)` = [midnight of `from`, midnight after `to`) in Moscow.
 */
export type Period = { from: string; to: string; since: Date; until: Date };

export const maxPeriodDays = 366;

const dayPattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Moscow has had no daylight saving since 2014: its midnight is 21:00 UTC of the day before. */
function moscowMidnight(day: string, field: "from" | "to"): Date {
  const m = dayPattern.exec(day);
  const [year, month, date] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  const utc = new Date(Date.UTC(year, month - 1, date));
  // Date.UTC rolls 2026-02-30 over to March: a real date survives the round trip.
  if (!m || utc.getUTCFullYear() !== year || utc.getUTCMonth() !== month - 1 || utc.getUTCDate() !== date || year < 2000) {
    throw new DomainError("VALIDATION", `${field} is not a date YYYY-MM-DD`, { field, rule: "date" });
  }
  return startOfDay(new Date(utc.getTime() + 12 * 60 * 60 * 1000));
}

/** Calendar days in [from, to] inclusive. */
const daysBetween = (since: Date, until: Date) => Math.round((until.getTime() - since.getTime()) / (24 * 60 * 60 * 1000));

/**
 * The period a dashboard asked for. Missing `to` = today (Moscow) at `now`; missing `from` = `defaultDays` days
 * ending with `to`. Refused (VALIDATION, `field` names which end): not a real date, `from` after `to`, or longer than
 * 366 days.
 */
export function periodOf(input: { from?: string; to?: string }, now: Date, defaultDays = 30): Period {
  const to = input.to ?? analyticsDate(now);
  const toStart = moscowMidnight(to, "to");
  const until = startOfDay(addDays(toStart, 1.5));
  const since = input.from === undefined ? startOfDay(addDays(until, -defaultDays + 0.5)) : moscowMidnight(input.from, "from");
  const from = analyticsDate(since);
  if (since.getTime() > toStart.getTime()) throw new DomainError("VALIDATION", "from is after to", { field: "from", rule: "order" });
  if (daysBetween(since, until) > maxPeriodDays) throw new DomainError("VALIDATION", `a period is at most ${maxPeriodDays} days`, { field: "from", rule: "max-days", max: maxPeriodDays });
  return { from, to, since, until };
}

/** Every day of the period, YYYY-MM-DD, in order. */
export function daysOf(period: Period): string[] {
  const days: string[] = [];
  for (let d = period.since; d.getTime() < period.until.getTime(); d = startOfDay(addDays(d, 1.5))) days.push(analyticsDate(d));
  return days;
}
