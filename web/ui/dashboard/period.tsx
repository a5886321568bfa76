import { useEffect, useState } from "preact/hooks";
import { useLocale } from "./i18n.js";

/** A period of Moscow days, both ends included (as the API's `from` and `to`). */
export type Period = { from: string; to: string };

/** Today's date in Moscow, YYYY-MM-DD (the days the server counts in). */
export const moscowToday = (now = new Date()) => new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Moscow" }).format(now);

/** A YYYY-MM-DD day moved by `days`. */
export function shiftDay(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** The last `days` days up to today. */
export const lastDays = (days: number): Period => {
  const to = moscowToday();
  return { from: shiftDay(to, -(days - 1)), to };
};

const presets = [7, 30, 90, 365];

/** Pick a period: a few common lengths, or two dates (the server refuses from > to and more than 366 days, and says so). */
export function PeriodPicker({ period, onChange }: { period: Period; onChange(period: Period): void }) {
  const { t } = useLocale();
  const [draft, setDraft] = useState(period);
  useEffect(() => setDraft(period), [period.from, period.to]);
  const today = moscowToday();
  return (
    <form
      class="period"
      data-testid="period"
      onSubmit={(event) => {
        event.preventDefault();
        onChange(draft);
      }}
    >
      <span class="presets">
        {presets.map((days) => {
          const preset = lastDays(days);
          const selected = period.from === preset.from && period.to === preset.to;
          return (
            <button
              type="button"
              key={days}
              class={selected ? "chip selected" : "chip"}
              onClick={() => {
                setDraft(preset);
                onChange(preset);
              }}
            >
              {t("period-last-days", { days })}
            </button>
          );
        })}
      </span>
      <label>
        {t("period-from")} <input type="date" value={draft.from} max={today} required onInput={(e) => setDraft({ ...draft, from: e.currentTarget.value })} data-testid="period-from" />
      </label>
      <label>
        {t("period-to")} <input type="date" value={draft.to} max={today} required onInput={(e) => setDraft({ ...draft, to: e.currentTarget.value })} data-testid="period-to" />
      </label>
      <button type="submit">{t("period-show")}</button>
    </form>
  );
}
