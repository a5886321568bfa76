import type { clientsResponse, customerCategory, rfmSegment } from "../../../api.js";
import type { z } from "zod";
import { useEffect, useState } from "preact/hooks";
import { formatDate, formatNumber } from "../../shared/i18n.js";
import type { PageProps } from "../app.js";
import { get, queryString } from "../dashboard-api.js";
import { useLocale } from "../i18n.js";
import { Link, navigate } from "../router.js";
import { Empty, LoadedView, PageTitle, useLoad } from "../ui.js";

type Category = z.infer<typeof customerCategory>;
type Segment = z.infer<typeof rfmSegment>;
export const categories: Category[] = ["new", "regular", "vip", "inactive"];
export const segments: Segment[] = ["champions", "loyal", "potential_loyalists", "new", "promising", "need_attention", "at_risk", "cannot_lose", "hibernating", "lost"];

/** The filters live in the address (?q=&category=&segment=&page=): back, refresh and a shared link keep them. */
export function ClientsPage({ route, me }: PageProps) {
  const { t, language } = useLocale();
  const q = route.query.get("q") ?? "";
  const category = categories.find((c) => c === route.query.get("category")) ?? "";
  const segment = segments.find((s) => s === route.query.get("segment")) ?? "";
  const page = Math.max(1, Number.parseInt(route.query.get("page") ?? "1", 10) || 1);
  const [typed, setTyped] = useState(q);
  useEffect(() => setTyped(q), [q]);

  const clients = useLoad(() => get<z.infer<typeof clientsResponse>>("clients", { q, category, segment, page }), [q, category, segment, page]);
  const go = (patch: { q?: string; category?: string; segment?: string; page?: number }) => {
    const next = { q, category, segment, page: 1, ...patch };
    navigate(`clients${queryString({ ...next, page: next.page > 1 ? next.page : undefined })}`, { replace: true });
  };

  return (
    <>
      <PageTitle>{t("clients-title")}</PageTitle>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          go({ q: typed.trim() });
        }}
      >
        <input type="search" class="search" placeholder={t("clients-search-placeholder")} title={t("clients-search")} aria-label={t("clients-search")} value={typed} onInput={(e) => setTyped(e.currentTarget.value)} maxLength={100} data-testid="client-search" />
        <button type="submit">{t("search")}</button>
        <select value={category} onChange={(e) => go({ category: e.currentTarget.value })} aria-label={t("col-category")} data-testid="category-filter">
          <option value="">{t("filter-any-category")}</option>
          {categories.map((c) => (
            <option key={c} value={c}>
              {t(`category-${c}`)}
            </option>
          ))}
        </select>
        <select value={segment} onChange={(e) => go({ segment: e.currentTarget.value })} aria-label={t("col-segment")} data-testid="segment-filter">
          <option value="">{t("filter-any-segment")}</option>
          {segments.map((s) => (
            <option key={s} value={s}>
              {t(`segment-${s}`)}
            </option>
          ))}
        </select>
      </form>
      <p class="muted small search-hint" data-testid="client-search-hint">
        {t(me.role === "admin" ? "clients-search-hint-admin" : "clients-search-hint-partner")}
      </p>
      <LoadedView loaded={clients}>
        {(data) => {
          const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
          return data.items.length === 0 ? (
            <Empty />
          ) : (
            <>
              <p class="muted">{t("clients-found", { total: data.total })}</p>
              <div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th>{t("col-client")}</th>
                      <th>{t("col-phone")}</th>
                      <th class="num">{t("col-balance")}</th>
                      <th>{t("col-category")}</th>
                      <th>{t("col-segment")}</th>
                      <th>{t("col-status")}</th>
                      <th>{t("col-joined")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.items.map((c) => (
                      <tr key={c.id} data-testid={`client-${c.id}`}>
                        <td>
                          <Link to={`clients/${c.id}`}>{c.firstName ?? t("no-name")}</Link>
                          <div class="muted small">№ {c.id}</div>
                        </td>
                        <td class="nowrap">{c.phone ?? "—"}</td>
                        <td class="num">{formatNumber(c.balance, language)}</td>
                        <td>{c.category ? t(`category-${c.category}`) : "—"}</td>
                        <td>{c.segment ? t(`segment-${c.segment}`) : "—"}</td>
                        <td>{t(`client-status-${c.status}`)}</td>
                        <td class="nowrap">{formatDate(c.joinedAt, language)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <div class="pager" data-testid="pager">
                <button type="button" disabled={data.page <= 1} onClick={() => go({ page: data.page - 1 })}>
                  ← {t("previous")}
                </button>
                <span>{t("page-of", { page: data.page, pages })}</span>
                <button type="button" disabled={data.page >= pages} onClick={() => go({ page: data.page + 1 })}>
                  {t("next")} →
                </button>
              </div>
            </>
          );
        }}
      </LoadedView>
    </>
  );
}
