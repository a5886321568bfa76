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
                      <td class={row.net < 0 ? "num negative" : "num"}>{n(row.net)}</td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th>{t("total")}</th>
                    <th class="num">{n(data.totals.issued)}</th>
                    <th class="num">{n(data.totals.redeemedHere)}</th>
                    <th class="num">{n(data.totals.net)}</th>
                  </tr>
                </tfoot>
              </table>
            </div>
          )
        }
      </LoadedView>
    </>
  );
}
