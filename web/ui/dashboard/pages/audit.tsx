import type { auditResponse } from "../../../api.js";
import type { z } from "zod";
import { useEffect, useState } from "preact/hooks";
import { formatDateTime, type Translate } from "../../shared/i18n.js";
import { get } from "../dashboard-api.js";
import { useLocale } from "../i18n.js";
import { Empty, ErrorMessage, PageTitle } from "../ui.js";

type Audit = z.infer<typeof auditResponse>;

/** A sentence's first letter up: the labels are the admin bot's words, which continue a line there ("admin 1 · approved…"). */
const capitalized = (text: string) => text.charAt(0).toLocaleUpperCase() + text.slice(1);

/** The label of an id under a key prefix ("partner.approve" → audit-action-partner-approve), or the id itself when there is none. */
function labelOf(t: Translate, prefix: string, id: string): string {
  const key = `${prefix}-${id.replace(/[._]/g, "-")}`;
  const label = t(key);
  return label === key ? id : capitalized(label);
}

/** A details value as text: strings as they are, anything else (numbers, objects of changed settings) as JSON. */
const detailText = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

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
                  <td data-testid="audit-action" title={row.action}>
                    {labelOf(t, "audit-action", row.action)}
                  </td>
                  <td class="nowrap" data-testid="audit-target">
                    {row.targetId === null ? labelOf(t, "audit-target", row.targetType) : t("audit-target-numbered", { type: labelOf(t, "audit-target", row.targetType), id: row.targetId })}
                  </td>
                  <td class="text-cell">
                    <dl class="details">
                      {Object.entries(row.details).map(([key, value]) => (
                        <div key={key}>
                          <dt>{key}:</dt> <dd>{detailText(value)}</dd>
                        </div>
                      ))}
                    </dl>
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
