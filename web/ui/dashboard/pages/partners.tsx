import type { PartnerRow } from "../../../api.js";
import { useState } from "preact/hooks";
import { formatDateTime, type Translate } from "../../shared/i18n.js";
import type { PageProps } from "../app.js";
import { change, get } from "../dashboard-api.js";
import { useLocale } from "../i18n.js";
import { navigate } from "../router.js";
import { ActionButton, Empty, LoadedView, PageTitle, ReasonForm, useLoad } from "../ui.js";

const categories = new Set(["cafe", "restaurant", "beauty", "shop", "services", "other"]);
const categoryLabel = (t: Translate, category: string) => (categories.has(category) ? t(`partner-category-${category}`) : category);

const statuses = ["pending", "approved", "blocked", "rejected"] as const;
type Asking = { partnerId: number; action: "reject" | "block" | "unblock" };

/** Partners and their applications (admin): approve or reject an application, block or unblock a partner. */
export function PartnersPage({ route }: PageProps) {
  const { t, language } = useLocale();
  const status = statuses.find((s) => s === route.query.get("status")) ?? null;
  const partners = useLoad(() => get<{ items: PartnerRow[] }>("partners", { status }), [status]);
  const [asking, setAsking] = useState<Asking | null>(null);
  const done = () => {
    setAsking(null);
    partners.reload();
  };

  return (
    <>
      <PageTitle>{t("partners-title")}</PageTitle>
      <div class="filters">
        <button type="button" class={status === null ? "chip selected" : "chip"} onClick={() => navigate("partners", { replace: true })}>
          {t("filter-all")}
        </button>
        {statuses.map((s) => (
          <button type="button" key={s} class={status === s ? "chip selected" : "chip"} onClick={() => navigate(`partners?status=${s}`, { replace: true })} data-testid={`status-${s}`}>
            {t(`partner-status-${s}`)}
          </button>
        ))}
      </div>
      <LoadedView loaded={partners}>
        {({ items }) =>
          items.length === 0 ? (
            <Empty />
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>{t("col-partner")}</th>
                    <th>{t("col-category")}</th>
                    <th>{t("col-address")}</th>
                    <th>{t("col-contact")}</th>
                    <th>{t("col-status")}</th>
                    <th>{t("col-applied")}</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {items.map((p) => (
                    <tr key={p.id} data-testid={`partner-${p.id}`}>
                      <td>
                        <strong>{p.name}</strong>
                        <div class="muted small">№ {p.id}</div>
                      </td>
                      <td>{categoryLabel(t, p.category)}</td>
                      <td>{p.address}</td>
                      <td>
                        {p.contactName}
                        <div class="muted small">{p.phone}</div>
                      </td>
                      <td>
                        <span class={`badge status-${p.status}`} data-testid="partner-status">
                          {t(`partner-status-${p.status}`)}
                        </span>
                        {p.moderationReason && <div class="muted small">{p.moderationReason}</div>}
                      </td>
                      <td class="nowrap">{formatDateTime(p.createdAt, language)}</td>
                      <td class="actions">
                        {asking?.partnerId === p.id ? (
                          <ReasonForm
                            submitLabel={t(`action-${asking.action}`)}
                            onCancel={() => setAsking(null)}
                            onSubmit={async (reason) => {
                              if (asking.action === "reject") await change("POST", `partners/${p.id}/moderate`, { decision: "reject", reason });
                              else await change("POST", `partners/${p.id}/block`, { blocked: asking.action === "block", reason });
                              done();
                            }}
                          />
                        ) : p.status === "pending" ? (
                          <>
                            <ActionButton
                              class="primary"
                              testId="approve"
                              label={t("action-approve")}
                              run={async () => {
                                await change("POST", `partners/${p.id}/moderate`, { decision: "approve" });
                                done();
                              }}
                            />
                            <button type="button" data-testid="reject" onClick={() => setAsking({ partnerId: p.id, action: "reject" })}>
                              {t("action-reject")}
                            </button>
                          </>
                        ) : p.status === "approved" ? (
                          <button type="button" data-testid="block" onClick={() => setAsking({ partnerId: p.id, action: "block" })}>
                            {t("action-block")}
                          </button>
                        ) : p.status === "blocked" ? (
                          <button type="button" data-testid="unblock" onClick={() => setAsking({ partnerId: p.id, action: "unblock" })}>
                            {t("action-unblock")}
                          </button>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </LoadedView>
    </>
  );
}
