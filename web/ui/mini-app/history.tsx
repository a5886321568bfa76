import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { HistoryResponse } from "../../api.js";
import { formatDateTime } from "../shared/i18n.js";
import type { Ui } from "./ui.js";

type Entry = HistoryResponse["items"][number];
const knownKinds = new Set(["accrual", "redemption", "welcome_bonus", "referral_bonus", "reversal", "adjustment", "expiry", "forfeiture", "merge"]);

/** The client's operations, newest first; the next page is read when the end of the list scrolls into view. */
export function HistoryView({ ui }: { ui: Ui }) {
  const { t, language } = ui;
  const [entries, setEntries] = useState<Entry[]>([]);
  /** undefined: nothing read yet; null: no more. */
  const [nextBefore, setNextBefore] = useState<number | null | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const [failed, setFailed] = useState(false);
  const sentinel = useRef<HTMLDivElement>(null);
  const busy = useRef(false);

  const loadMore = useCallback(async () => {
    if (busy.current || nextBefore === null) return;
    busy.current = true;
    setLoading(true);
    try {
      const page = await ui.api.history(nextBefore ?? null);
      setEntries((current) => [...current, ...page.items.filter((item) => !current.some((e) => e.id === item.id))]);
      setNextBefore(page.nextBefore);
      setFailed(false);
    } catch (error) {
      setFailed(true);
      ui.failed(error);
    } finally {
      busy.current = false;
      setLoading(false);
    }
  }, [ui.api, ui.failed, nextBefore]);

  useEffect(() => {
    const target = sentinel.current;
    if (!target || nextBefore === null || failed) return;
    // A tall screen may show the sentinel again right after a page arrives: the observer is made anew for each
    // page (this effect reruns when nextBefore changes), so it reports "visible" again and the next page follows.
    const observer = new IntersectionObserver((seen) => seen.some((e) => e.isIntersecting) && void loadMore(), { rootMargin: "200px" });
    observer.observe(target);
    return () => observer.disconnect();
  }, [loadMore, nextBefore, failed]);

  return (
    <section class="panel" data-testid="history">
      <h2>{t("history-title")}</h2>
      {nextBefore === null && entries.length === 0 ? <p class="hint">{t("history-empty")}</p> : null}
      <ul class="history-list">
        {entries.map((entry) => (
          <li key={entry.id} class="history-row" data-testid="history-row" data-entry-id={entry.id}>
            <div class="history-main">
              <div class="history-kind">{t(knownKinds.has(entry.kind) ? `ledger-${entry.kind}` : "ledger-other")}</div>
              <div class="hint">
                {formatDateTime(entry.createdAt, language)}
                {entry.partnerName ? ` · ${entry.partnerName}` : ""}
              </div>
            </div>
            <div class="history-side">
              <div class={`history-points ${entry.points >= 0 ? "plus" : "minus"}`}>
                {entry.points > 0 ? "+" : ""}
                {new Intl.NumberFormat(language === "ru" ? "ru-RU" : "en-GB").format(entry.points)}
              </div>
              <div class="hint">{t("history-balance-after", { balance: entry.balanceAfter })}</div>
            </div>
          </li>
        ))}
      </ul>
      {failed ? (
        <div class="inline-error">
          {t("history-failed")}{" "}
          <button class="button link" onClick={() => setFailed(false)}>
            {t("retry")}
          </button>
        </div>
      ) : null}
      {loading ? <p class="hint">{t("loading")}</p> : null}
      {nextBefore === null && entries.length > 0 ? <p class="hint end">{t("history-end")}</p> : null}
      <div ref={sentinel} class="sentinel" data-testid="history-sentinel" />
    </section>
  );
}
