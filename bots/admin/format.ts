import { editableSettings, settingRange, settingValue, type EditableSetting, type NetworkSettings } from "../../core/settings/service.js";
import { formatRubles } from "../../telegram/money.js";
import type { BaseContext } from "../shared/context.js";

type T = BaseContext["t"];

/** The BCP 47 locale numbers and dates are formatted in: `intl-locale` of the reader's language. */
export const intlLocale = (t: T) => t("intl-locale");
const language = (t: T) => (intlLocale(t).startsWith("en") ? "en" : "ru");

/** A key's message, or `fallback` when there is none (an id added by a newer version than the locale files). */
export function tOr(t: T, key: string, fallback: string, vars?: Record<string, string | number>): string {
  const text = t(key, vars);
  return text === key || text === `{${key}}` ? fallback : text;
}

export const rubles = (t: T, kopecks: number) => formatRubles(kopecks, language(t));
export const dateTime = (t: T, at: Date) => new Intl.DateTimeFormat(intlLocale(t), { dateStyle: "short", timeStyle: "short", timeZone: "Europe/Moscow" }).format(at);
export const date = (t: T, at: Date) => new Intl.DateTimeFormat(intlLocale(t), { dateStyle: "medium", timeZone: "Europe/Moscow" }).format(at);
/** A calendar date stored as YYYY-MM-DD (a Moscow day), shown in the reader's format. */
export const calendarDate = (t: T, isoDay: string) => new Intl.DateTimeFormat(intlLocale(t), { dateStyle: "medium", timeZone: "UTC" }).format(new Date(`${isoDay}T00:00:00Z`));
/** Signed points: "+50" / "−30", grouped by locale. */
export const signedPoints = (t: T, points: number) => `${points > 0 ? "+" : points < 0 ? "−" : ""}${new Intl.NumberFormat(intlLocale(t)).format(Math.abs(points))}`;

/** A setting's id as it travels in a button (dots are not allowed there). */
export const settingButtonId = (key: EditableSetting) => key.replace(".", "-");
export const settingFromButtonId = (id: string) => id.replace("-", ".");
export const settingName = (t: T, key: EditableSetting) => t(`setting-${settingButtonId(key)}`);

/** A setting's value in its unit, for the reader: "200 баллов", "7,5 %", "24 ч", "10 мин", "09:00". */
export function settingText(t: T, key: EditableSetting, value: number): string {
  const unit = editableSettings[key];
  const n = (v: number) => new Intl.NumberFormat(intlLocale(t), { maximumFractionDigits: 2 }).format(v);
  switch (unit) {
    case "points":
      return t("points", { points: value });
    case "basisPoints":
      return t("value-percent", { n: n(value / 100) });
    case "percent":
      return t("value-percent", { n: n(value) });
    case "hours":
      return t("value-hours", { n: n(value) });
    case "minutes":
      return t("value-minutes", { n: n(value) });
    case "hourOfDay":
      return `${String(value).padStart(2, "0")}:00`;
  }
}

/** What the admin may type for a setting: its unit and range, in words. */
export function settingHint(t: T, key: EditableSetting): string {
  const { min, max } = settingRange(key);
  const unit = editableSettings[key];
  const scaled = unit === "basisPoints" ? { min: min / 100, max: max / 100 } : { min, max };
  const fmt = (v: number) => new Intl.NumberFormat(intlLocale(t), { maximumFractionDigits: 2 }).format(v);
  const hint = { points: "points", basisPoints: "percent", percent: "percent-whole", hours: "hours", minutes: "minutes", hourOfDay: "hour-of-day" }[unit];
  return t(`setting-hint-${hint}`, { min: fmt(scaled.min), max: fmt(scaled.max) });
}

/**
 * Parses what the admin typed for a setting into its stored unit (a percentage with up to two decimals becomes basis
 * points), within the schema's range. Null when it does not parse or is out of range.
 */
export function parseSetting(key: EditableSetting, text: string): number | null {
  const cleaned = text.replace(/[\s\u00a0%]/g, "");
  const unit = editableSettings[key];
  let value: number;
  if (unit === "basisPoints" || unit === "percent") {
    const m = /^(\d{1,3})(?:[.,](\d{1,2}))?$/.exec(cleaned);
    if (!m) return null;
    if (unit === "percent" && m[2] !== undefined && Number(m[2]) !== 0) return null;
    value = unit === "basisPoints" ? Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0")) : Number(m[1]);
  } else {
    if (!/^\d{1,9}$/.test(cleaned)) return null;
    value = Number(cleaned);
  }
  const { min, max } = settingRange(key);
  return value >= min && value <= max ? value : null;
}

/** Every editable setting with its value, one per line. */
export function settingsList(t: T, settings: NetworkSettings, keys: readonly EditableSetting[]): string {
  return keys.map((k) => t("settings-line", { name: settingName(t, k), value: settingText(t, k, settingValue(settings, k)) })).join("\n");
}
