import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { formatNumber, type Language } from "../shared/i18n.js";
import { useLocale } from "./i18n.js";

export type ChartSeries = {
  label: string;
  values: (number | null)[];
  color: string;
  /** "right" puts this series on its own scale with an axis on the right (checks beside turnover). */
  axis?: "left" | "right";
  /** How a value is shown on its axis and in the legend. */
  format?: (value: number, language: Language) => string;
};

/** Tick steps for whole numbers only (no "0.5 clients"): 1, 2, 5, 10, 20, 50… */
const wholeSteps = Array.from({ length: 13 }, (_, power) => [1, 2, 5].map((m) => m * 10 ** power)).flat();

const dayTimestamp = (day: string) => Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / 1000;

/** A line chart of one value per day, drawn by uPlot; it follows its box's width. */
export function DayChart({ title, days, series, testId, note }: { title: string; days: string[]; series: ChartSeries[]; testId: string; note?: string }) {
  const { language, t } = useLocale();
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const dayLabel = new Intl.DateTimeFormat(language === "ru" ? "ru-RU" : "en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
    const show = (s: ChartSeries, value: number | null | undefined) => (value === null || value === undefined ? "—" : (s.format ?? formatNumber)(value, language));
    const scaleOf = (s: ChartSeries) => (s.axis === "right" ? "right" : "left");
    const left = series.find((s) => scaleOf(s) === "left");
    const right = series.find((s) => scaleOf(s) === "right");
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 200),
      height: 220,
      // Days are calendar dates: shown in UTC so that no browser's time zone moves them.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, left: { range: (_u, min, max) => [Math.min(0, min), Math.max(max, 1)] }, right: { range: (_u, min, max) => [Math.min(0, min), Math.max(max, 1)] } },
      series: [
        { label: t("chart-day"), value: (_u, ts) => (ts === null ? "—" : dayLabel.format(new Date(ts * 1000))) },
        ...series.map((s) => ({ label: s.label, stroke: s.color, fill: `${s.color}1a`, width: 2, scale: scaleOf(s), spanGaps: false, points: { show: days.length <= 45 }, value: (_u: uPlot, v: number | null) => show(s, v) })),
      ],
      axes: [
        { space: 64, values: (_u, splits) => splits.map((ts) => dayLabel.format(new Date(ts * 1000))), grid: { stroke: "#eef0f3" } },
        ...(left ? [{ scale: "left", size: 70, incrs: wholeSteps, values: (_u: uPlot, splits: number[]) => splits.map((v) => show(left, v)), grid: { stroke: "#eef0f3" } }] : []),
        ...(right ? [{ scale: "right", side: 1, size: 60, incrs: wholeSteps, values: (_u: uPlot, splits: number[]) => splits.map((v) => show(right, v)), grid: { show: false } }] : []),
      ],
    };
    const data: uPlot.AlignedData = [days.map(dayTimestamp), ...series.map((s) => s.values)];
    const chart = new uPlot(options, data, element);
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(element.clientWidth, 200), height: 220 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [days, series, language, t]);

  return (
    <section class="card chart" data-testid={testId}>
      <h2>{title}</h2>
      {note && <p class="muted small chart-note">{note}</p>}
      <div ref={box} class="chart-box" />
    </section>
  );
}
