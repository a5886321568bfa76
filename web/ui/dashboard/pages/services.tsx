import type { servicesResponse } from "../../../api.js";
import type { z } from "zod";
import { useState } from "preact/hooks";
import { formatDateTime, formatRubles } from "../../shared/i18n.js";
import type { PageProps } from "../app.js";
import { change, get } from "../dashboard-api.js";
import { useLocale } from "../i18n.js";
import { navigate } from "../router.js";
import { ActionButton, Empty, LoadedView, PageTitle, ReasonForm, useLoad } from "../ui.js";

const statuses = ["pending", "approved", "rejected"] as const;

/** Services of the network (a partner: its own); an admin approves or rejects the pending ones. */
export function ServicesPage({ me, route }: PageProps) {
  const { t, language } = useLocale();
  const isAdmin = me.role === "admin";
  const status = statuses.find((s) => s === route.query.get("status")) ?? null;
  const services = useLoad(() => get<z.infer<typeof servicesResponse>>("services", { status }), [status]);
  const [rejecting, setRejecting] = useState<number | null>(null);
  return (
    <>
      <PageTitle>{t("services-title")}</PageTitle>
      <div class="filters">
        <button type="button" class={status === null ? "chip selected" : "chip"} onClick={() => navigate("services", { replace: true })}>
          {t("filter-all")}
        </button>
        {statuses.map((s) => (
          <button type="button" key={s} class={status === s ? "chip selected" : "chip"} onClick={() => navigate(`services?status=${s}`, { replace: true })}>
            {t(`service-status-${s}`)}
          </button>
        ))}
      </div>
      <LoadedView loaded={services}>
        {({ items }) =>
          items.length === 0 ? (
            <Empty />
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    {isAdmin && <th>{t("col-partner")}</th>}
                    <th>{t("col-service")}</th>
                    <th class="num">{t("col-price")}</th>
                    <th>{t("col-status")}</th>
                    <th>{t("col-created")}</th>
                    {isAdmin && <th />}
                  </tr>
                </thead>
                <tbody>
                  {items.map((s) => (
                    <tr key={s.id} data-testid={`service-${s.id}`}>
                      {isAdmin && <td>{s.partnerName}</td>}
                      <td>
                        <strong>{s.name}</strong>
                        <div class="muted small pre">{s.description}</div>
                      </td>
                      <td class="num">{formatRubles(s.priceKopecks, language)}</td>
                      <td>
                        <span class={`badge status-${s.status}`}>{t(`service-status-${s.status}`)}</span>
                        {s.moderationReason && <div class="muted small">{s.moderationReason}</div>}
                      </td>
                      <td class="nowrap">{formatDateTime(s.createdAt, language)}</td>
                      {isAdmin && (
                        <td class="actions">
                          {s.status === "pending" &&
                            (rejecting === s.id ? (
                              <ReasonForm
                                submitLabel={t("action-reject")}
                                onCancel={() => setRejecting(null)}
                                onSubmit={async (reason) => {
                                  await change("POST", `services/${s.id}/moderate`, { decision: "reject", reason });
                                  setRejecting(null);
                                  services.reload();
                                }}
                              />
                            ) : (
                              <>
                                <ActionButton
                                  class="primary"
                                  testId="approve"
                                  label={t("action-approve")}
                                  run={async () => {
                                    await change("POST", `services/${s.id}/moderate`, { decision: "approve" });
                                    services.reload();
                                  }}
                                />
                                <button type="button" onClick={() => setRejecting(s.id)}>
                                  {t("action-reject")}
                                </button>
                              </>
                            ))}
                        </td>
                      )}
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
