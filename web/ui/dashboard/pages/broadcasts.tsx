import type { broadcastsResponse } from "../../../api.js";
import type { z } from "zod";
import { formatDateTime, formatNumber } from "../../shared/i18n.js";
import type { PageProps } from "../app.js";
import { get } from "../dashboard-api.js";
import { useLocale } from "../i18n.js";
import { Empty, LoadedView, PageTitle, useLoad } from "../ui.js";

type Broadcast = z.infer<typeof broadcastsResponse>["items"][number];
const reportColumns = ["sent", "unreachable", "uncertain", "failed", "pending"] as const;

/** Broadcasts, newest first, each with its delivery report. */
export function BroadcastsPage({ me }: PageProps) {
  const { t, language } = useLocale();
  const broadcasts = useLoad(() => get<z.infer<typeof broadcastsResponse>>("broadcasts"), []);
  const audience = (b: Broadcast) =>
    [b.audience.segment && t(`segment-${b.audience.segment}`), b.audience.category && t(`category-${b.audience.category}`)].filter(Boolean).join(", ") || t("audience-everyone");
  return (
    <>
      <PageTitle>{t("broadcasts-title")}</PageTitle>
      <LoadedView loaded={broadcasts}>
        {({ items }) =>
          items.length === 0 ? (
            <Empty />
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>{t("col-created")}</th>
                    {me.role === "admin" && <th>{t("col-sender")}</th>}
                    <th>{t("col-text")}</th>
                    <th>{t("col-audience")}</th>
                    <th>{t("col-status")}</th>
                    <th class="num">{t("report-total")}</th>
                    {reportColumns.map((c) => (
                      <th key={c} class="num">
                        {t(`report-${c}`)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {items.map((b) => (
                    <tr key={b.id}>
                      <td class="nowrap">
                        {formatDateTime(b.createdAt, language)}
                        {b.finishedAt && <div class="muted small">{t("finished-at", { time: formatDateTime(b.finishedAt, language) })}</div>}
                      </td>
                      {me.role === "admin" && <td>{b.senderKind === "admin" ? t("sender-admin") : (b.partnerName ?? "—")}</td>}
                      <td class="text-cell pre">{b.text}</td>
                      <td>{audience(b)}</td>
                      <td>
                        <span class={`badge broadcast-${b.status}`}>{t(`broadcast-status-${b.status}`)}</span>
                      </td>
                      <td class="num">{formatNumber(b.report.total, language)}</td>
                      {reportColumns.map((c) => (
                        <td key={c} class="num">
                          {formatNumber(b.report[c], language)}
                        </td>
                      ))}
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
