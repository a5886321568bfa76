import { useEffect, useState } from "preact/hooks";
import type { NetworkResponse } from "../../api.js";
import { formatDate, formatRubles } from "../shared/i18n.js";
import type { Ui } from "./ui.js";

/** What the network's partners offer now — promotions and services — and where each partner is. */
export function NetworkView({ ui }: { ui: Ui }) {
  const { t, language } = ui;
  const [network, setNetwork] = useState<NetworkResponse | null>(null);
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    ui.api.network().then(
      (answer) => current && (setNetwork(answer), setFailed(false)),
      (error: unknown) => {
        if (!current) return;
        setFailed(true);
        ui.failed(error);
      },
    );
    return () => {
      current = false;
    };
  }, [ui.api, ui.failed, attempt]);

  if (failed) {
    return (
      <section class="panel inline-error">
        {t("network-failed")}{" "}
        <button class="button link" onClick={() => setAttempt((n) => n + 1)}>
          {t("retry")}
        </button>
      </section>
    );
  }
  if (!network) return <p class="hint center">{t("loading")}</p>;
  return (
    <>
      <section class="panel" data-testid="promotions">
        <h2>{t("promotions-title")}</h2>
        {network.promotions.length === 0 ? <p class="hint">{t("promotions-empty")}</p> : null}
        {network.promotions.map((p) => (
          <article key={p.id} class="offer">
            <div class="offer-title">{p.title}</div>
            <div class="offer-partner">{p.partnerName}</div>
            <div class="hint">📍 {p.partnerAddress}</div>
            <div class="hint">{t("promotion-dates", { from: formatDate(p.startsAt, language), until: formatDate(p.endsAt, language) })}</div>
            <p class="offer-body">{p.body}</p>
          </article>
        ))}
      </section>
      <section class="panel" data-testid="services">
        <h2>{t("services-title")}</h2>
        {network.services.length === 0 ? <p class="hint">{t("services-empty")}</p> : null}
        {network.services.map((s) => (
          <article key={s.id} class="offer">
            <div class="offer-head">
              <span class="offer-title">{s.name}</span>
              <span class="offer-price">{formatRubles(s.priceKopecks, language)}</span>
            </div>
            <div class="offer-partner">{s.partnerName}</div>
            <div class="hint">📍 {s.partnerAddress}</div>
            {s.description ? <p class="offer-body">{s.description}</p> : null}
          </article>
        ))}
      </section>
    </>
  );
}
