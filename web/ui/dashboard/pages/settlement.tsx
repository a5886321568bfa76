import type { SettlementResponse } from "../../../api.js";
import { formatNumber } from "../../shared/i18n.js";
import type { PageProps } from "../app.js";
import { apiPath, get } from "../dashboard-api.js";
import { useLocale } from "../i18n.js";
import { PeriodPicker } from "../period.js";
import { Empty, LoadedView, PageTitle, useLoad } from "../ui.js";

/** Settlement between partners for a period (admin): points each issued, points redeemed at it, the net; and as CSV. */
export function SettlementPage({ period, setPeriod }: PageProps) {
  const { t, language } = useLocale();
  const settlement = useLoad(() => get<SettlementResponse>("settlement", period), [period.from, period.to]);
  const n = (value: number) => formatNumber(value, language);
  // The net's sign is the direction of the debt (the legend below says which), not good or bad: a plus shown, no colour.
  const signed = (value: number) => (value > 0 ? `+${n(value)}` : n(value));
  return (
    <>
      <PageTitle>{t("settlement-title")}</PageTitle>
      <PeriodPicker period={period} onChange={setPeriod} />
      <p class="muted">{t("settlement-hint")}</p>
      <p>
        <a class="button" href={apiPath("settlement.csv", period)} download data-testid="settlement-csv">
          {t("download-csv")}
        </a>
      </p>
      <LoadedView loaded={settlement}>
        {(data) =>
          data.rows.length === 0 ? (
            <Empty />
          ) : (
            <>
              <div class="table-wrap">
                <table data-testid="settlement">
                  <thead>
                    <tr>
                      <th>{t("col-partner")}</th>
                      <th class="num">{t("col-issued")}</th>
                      <th class="num">{t("col-redeemed-here")}</th>
                      <th class="num">{t("col-net")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.rows.map((row) => (
                      <tr key={row.partnerId}>
                        <td>{row.partnerName}</td>
                        <td class="num">{n(row.issued)}</td>
                        <td class="num">{n(row.redeemedHere)}</td>
                        <td class="num" data-testid="settlement-net">{signed(row.net)}</td>
                      </tr>
                    ))}
                  </tbody>
                  <tfoot>
                    <tr>
                      <th>{t("total")}</th>
                      <th class="num">{n(data.totals.issued)}</th>
                      <th class="num">{n(data.totals.redeemedHere)}</th>
                      <th class="num">{signed(data.totals.net)}</th>
                    </tr>
                  </tfoot>
                </table>
              </div>
              <ul class="legend muted" data-testid="settlement-legend">
                <li>{t("settlement-legend-positive")}</li>
                <li>{t("settlement-legend-negative")}</li>
              </ul>
              <p class="muted" data-testid="settlement-unassigned">{t("settlement-unassigned")}</p>
            </>
          )
        }
      </LoadedView>
    </>
  );
}
