import type { OverviewResponse } from "../../../api.js";
import { useMemo } from "preact/hooks";
import { formatNumber, formatRubles } from "../../shared/i18n.js";
import type { PageProps } from "../app.js";
import { DayChart, type ChartSeries } from "../chart.js";
import { get } from "../dashboard-api.js";
import { useLocale } from "../i18n.js";
import { PeriodPicker } from "../period.js";
import { LoadedView, PageTitle, useLoad } from "../ui.js";

const colors = { blue: "#2f7ed8", orange: "#e8743b", green: "#19a979", red: "#d64550", purple: "#8e5ec4", grey: "#6c7a89" };

export function OverviewPage({ me, period, setPeriod }: PageProps) {
  const { t } = useLocale();
  const overview = useLoad(() => get<OverviewResponse>("overview", period), [period.from, period.to]);
  return (
    <>
      <PageTitle>{me.role === "admin" ? t("overview-title-network") : t("overview-title-partner", { name: me.partner?.name ?? "" })}</PageTitle>
      <PeriodPicker period={period} onChange={setPeriod} />
      <LoadedView loaded={overview}>{(data) => <Overview data={data} />}</LoadedView>
    </>
  );
}

function Overview({ data }: { data: OverviewResponse }) {
  const { t, language } = useLocale();
  const { totals } = data;
  const rubles = (kopecks: number) => formatRubles(kopecks, language);
  const charts = useMemo(() => {
    const days = data.days.map((d) => d.day);
    const series = (label: string, color: string, values: (number | null)[], extra: Partial<ChartSeries> = {}): ChartSeries => ({ label: t(label), color, values, ...extra });
    return {
      days,
      turnover: [
        series("chart-turnover", colors.blue, data.days.map((d) => d.turnoverKopecks), { format: (v, l) => formatRubles(Math.round(v), l) }),
        series("chart-checks", colors.orange, data.days.map((d) => d.checks), { axis: "right" }),
      ],
      points: [series("chart-points-issued", colors.green, data.days.map((d) => d.pointsIssued)), series("chart-points-redeemed", colors.red, data.days.map((d) => d.pointsRedeemed))],
      liability: [series("chart-liability", colors.purple, data.days.map((d) => d.liability))],
      nps: [series("chart-nps", colors.blue, data.days.map((d) => d.nps))],
      newClients: [series("chart-new-clients", colors.grey, data.days.map((d) => d.newClients))],
    };
  }, [data, t]);

  const cards: [string, string, string][] = [
    ["turnover", t("total-turnover"), rubles(totals.turnoverKopecks)],
    ["checks", t("total-checks"), formatNumber(totals.checks, language)],
    ["average-check", t("total-average-check"), totals.checks > 0 ? rubles(Math.round(totals.turnoverKopecks / totals.checks)) : "—"],
    ["points-issued", t("total-points-issued"), formatNumber(totals.pointsIssued, language)],
    ["points-redeemed", t("total-points-redeemed"), formatNumber(totals.pointsRedeemed, language)],
    ["liability", t("total-liability"), formatNumber(totals.liability, language)],
    ["new-clients", t("total-new-clients"), formatNumber(totals.newClients, language)],
    ["nps", t("total-nps"), totals.nps === null ? "—" : formatNumber(Math.round(totals.nps), language)],
  ];
  const notes: Record<string, string> = { nps: t("nps-responses", { count: totals.npsResponses }) };
  return (
    <>
      <div class="totals" data-testid="totals">
        {cards.map(([id, label, value]) => (
          <div class="total" key={id} data-testid={`total-${id}`}>
            <div class="total-label">{label}</div>
            <div class="total-value">{value}</div>
            {notes[id] && <div class="muted small">{notes[id]}</div>}
          </div>
        ))}
      </div>
      <div class="charts">
        <DayChart testId="chart-turnover" title={t("chart-turnover-checks")} days={charts.days} series={charts.turnover} />
        <DayChart testId="chart-points" title={t("chart-points")} days={charts.days} series={charts.points} />
        <DayChart testId="chart-liability" title={t("chart-liability")} days={charts.days} series={charts.liability} />
        <DayChart testId="chart-nps" title={t("chart-nps")} days={charts.days} series={charts.nps} note={totals.npsResponses === 0 ? t("chart-nps-none") : undefined} />
        <DayChart testId="chart-new-clients" title={t("chart-new-clients")} days={charts.days} series={charts.newClients} />
      </div>
    </>
  );
}
