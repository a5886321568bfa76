import type { auditResponse } from "../../../api.js";
import type { z } from "zod";
import { useEffect, useState } from "preact/hooks";
import { formatDateTime } from "../../shared/i18n.js";
import { get } from "../dashboard-api.js";
import { useLocale } from "../i18n.js";
import { Empty, ErrorMessage, PageTitle } from "../ui.js";

type Audit = z.infer<typeof auditResponse>;

/** The audit log (admin), newest first, 50 at a time: "older" reads the next page and adds it below. */
export function AuditPage() {
  const { t, language } = useLocale();
  const [items, setItems] = useState<Audit["items"]>([]);
  const [nextBefore, setNextBefore] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);

  const load = async (before: number | null) => {
    setLoading(true);
    setError(null);
    try {
      const page = await get<Audit>("audit", { before });
      setItems((shown) => (before === null ? page.items : [...shown, ...page.items]));
      setNextBefore(page.nextBefore);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => void load(null), []);

  const actor = (row: Audit["items"][number]) => `${t(`actor-${row.actorType}`)}${row.actorTelegramId === null ? "" : ` ${row.actorTelegramId}`}`;
  return (
    <>
      <PageTitle>{t("audit-title")}</PageTitle>
      <ErrorMessage error={error} />
      {items.length === 0 && !loading && !error ? (
        <Empty />
      ) : (
        <div class="table-wrap">
          <table data-testid="audit">
            <thead>
              <tr>
                <th>{t("col-when")}</th>
                <th>{t("col-actor")}</th>
                <th>{t("col-action")}</th>
                <th>{t("col-target")}</th>
                <th>{t("col-details")}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((row) => (
                <tr key={row.id}>
                  <td class="nowrap">{formatDateTime(row.createdAt, language)}</td>
                  <td class="nowrap">{actor(row)}</td>
                  <td>
                    <code>{row.action}</code>
                  </td>
                  <td class="nowrap">
                    {row.targetType}
                    {row.targetId !== null && ` № ${row.targetId}`}
                  </td>
                  <td class="text-cell">
                    <code class="details">{Object.keys(row.details).length ? JSON.stringify(row.details) : ""}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {loading ? (
        <p class="muted">{t("loading")}</p>
      ) : (
        nextBefore !== null && (
          <p>
            <button type="button" onClick={() => void load(nextBefore)} data-testid="older">
              {t("older")}
            </button>
          </p>
        )
      )}
    </>
  );
}
