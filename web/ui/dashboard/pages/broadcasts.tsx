import type { broadcastsResponse } from "../../../api.js";
import type { z } from "zod";
import { formatDateTime, formatNumber } from "../../shared/i18n.js";
import type { PageProps } from "../app.js";
import { get } from "../dashboard-api.js";
import { useLocale } from "../i18n.js";
import { Empty, LoadedView, PageTitle, useLoad } from "../ui.js";

type Broadcast = z.infer<typeof broadcastsResponse>["items"][number];
/** Counts shown under "delivered N of M" when there are any. */
const otherCounts = ["unreachable", "uncertain", "failed", "pending"] as const;

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
                    <th>{t("col-report")}</th>
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
                      <td class="nowrap" data-testid="report">
                        {t("report-delivered-of", { sent: formatNumber(b.report.sent, language), total: formatNumber(b.report.total, language) })}
                        <div class="muted small">
                          {otherCounts
                            .filter((c) => b.report[c] > 0)
                            .map((c) => `${t(`report-${c}`)}: ${formatNumber(b.report[c], language)}`)
                            .join(" · ")}
                        </div>
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
