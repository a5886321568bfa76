import type { PageProps } from "../app.js";
import { apiPath } from "../dashboard-api.js";
import { useLocale } from "../i18n.js";
import { PeriodPicker } from "../period.js";
import { PageTitle } from "../ui.js";

const kinds = ["clients", "ledger", "purchases"] as const;

/** CSV files for the period (a partner's: its own, phones masked), streamed by the server straight from the database. */
export function ExportsPage({ period, setPeriod }: PageProps) {
  const { t } = useLocale();
  return (
    <>
      <PageTitle>{t("exports-title")}</PageTitle>
      <PeriodPicker period={period} onChange={setPeriod} />
      <div class="exports">
        {kinds.map((kind) => (
          <section class="card" key={kind}>
            <h2>{t(`export-${kind}`)}</h2>
            <p class="muted">{t(`export-${kind}-hint`)}</p>
            <a class="button" href={apiPath(`export/${kind}.csv`, period)} download data-testid={`export-${kind}`}>
              {t("download-csv")}
            </a>
          </section>
        ))}
      </div>
    </>
  );
}
