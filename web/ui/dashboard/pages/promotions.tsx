import type { promotionsResponse } from "../../../api.js";
import type { z } from "zod";
import { formatDateTime } from "../../shared/i18n.js";
import type { PageProps } from "../app.js";
import { get } from "../dashboard-api.js";
import { useLocale } from "../i18n.js";
import { Empty, LoadedView, PageTitle, useLoad } from "../ui.js";

/** Promotions: the partner's own, or every partner's for an admin; each with whether it runs now. */
export function PromotionsPage({ me }: PageProps) {
  const { t, language } = useLocale();
  const promotions = useLoad(() => get<z.infer<typeof promotionsResponse>>("promotions"), []);
  const now = Date.now();
  const state = (startsAt: string, endsAt: string) => (Date.parse(endsAt) <= now ? "ended" : Date.parse(startsAt) > now ? "upcoming" : "running");
  return (
    <>
      <PageTitle>{t("promotions-title")}</PageTitle>
      <LoadedView loaded={promotions}>
        {({ items }) =>
          items.length === 0 ? (
            <Empty />
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    {me.role === "admin" && <th>{t("col-partner")}</th>}
                    <th>{t("col-promotion")}</th>
                    <th>{t("col-starts")}</th>
                    <th>{t("col-ends")}</th>
                    <th>{t("col-status")}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((p) => {
                    const s = state(p.startsAt, p.endsAt);
                    return (
                      <tr key={p.id}>
                        {me.role === "admin" && <td>{p.partnerName}</td>}
                        <td>
                          <strong>{p.title}</strong>
                          <div class="muted small pre">{p.body}</div>
                        </td>
                        <td class="nowrap">{formatDateTime(p.startsAt, language)}</td>
                        <td class="nowrap">{formatDateTime(p.endsAt, language)}</td>
                        <td>
                          <span class={`badge promotion-${s}`}>{t(`promotion-${s}`)}</span>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )
        }
      </LoadedView>
    </>
  );
}
