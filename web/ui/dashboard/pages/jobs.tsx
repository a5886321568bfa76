import type { jobsResponse } from "../../../api.js";
import type { z } from "zod";
import { formatDateTime } from "../../shared/i18n.js";
import type { PageProps } from "../app.js";
import { change, get } from "../dashboard-api.js";
import { useLocale } from "../i18n.js";
import { navigate } from "../router.js";
import { ActionButton, Empty, LoadedView, PageTitle, useLoad } from "../ui.js";

const statuses = ["dead", "pending", "running"] as const;

/** The worker's jobs (admin): the dead ones by default, each retried alone. */
export function JobsPage({ route }: PageProps) {
  const { t, language } = useLocale();
  const status = statuses.find((s) => s === route.query.get("status")) ?? "dead";
  const jobs = useLoad(() => get<z.infer<typeof jobsResponse>>("jobs", { status }), [status]);
  return (
    <>
      <PageTitle>{t("jobs-title")}</PageTitle>
      <div class="filters">
        {statuses.map((s) => (
          <button type="button" key={s} class={status === s ? "chip selected" : "chip"} onClick={() => navigate(s === "dead" ? "jobs" : `jobs?status=${s}`, { replace: true })}>
            {t(`job-status-${s}`)}
          </button>
        ))}
      </div>
      <LoadedView loaded={jobs}>
        {({ items }) =>
          items.length === 0 ? (
            <Empty />
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>№</th>
                    <th>{t("col-job-kind")}</th>
                    <th class="num">{t("col-attempts")}</th>
                    <th>{t("col-last-error")}</th>
                    <th>{t("col-run-at")}</th>
                    <th>{t("col-updated")}</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {items.map((job) => (
                    <tr key={job.id} data-testid={`job-${job.id}`}>
                      <td>{job.id}</td>
                      <td>
                        <code>{job.kind}</code>
                      </td>
                      <td class="num">{job.attempts}</td>
                      <td class="text-cell">
                        <code class="error-text">{job.lastError ?? ""}</code>
                      </td>
                      <td class="nowrap">{formatDateTime(job.runAt, language)}</td>
                      <td class="nowrap">{formatDateTime(job.updatedAt, language)}</td>
                      <td class="actions">
                        {job.status === "dead" && (
                          <ActionButton
                            label={t("action-retry")}
                            testId="retry"
                            run={async () => {
                              await change("POST", `jobs/${job.id}/retry`);
                              jobs.reload();
                            }}
                          />
                        )}
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
