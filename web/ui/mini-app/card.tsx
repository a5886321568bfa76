import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { CardResponse, TillCodeResponse } from "../../api.js";
import { QrCode } from "./qr.js";
import type { Ui } from "./ui.js";

/** The card itself: balance, tier and the way to the next one, and the till code. */
export function CardView({ ui, card }: { ui: Ui; card: CardResponse }) {
  const { t, language } = ui;
  const currentThreshold = card.tier === "bronze" ? 0 : card.thresholds[card.tier];
  const nextThreshold = card.nextTier && card.nextTier !== "bronze" ? card.thresholds[card.nextTier] : null;
  const progress = nextThreshold === null ? 1 : Math.min(1, Math.max(0, (card.earned - currentThreshold) / Math.max(1, nextThreshold - currentThreshold)));
  const rate = new Intl.NumberFormat(language === "ru" ? "ru-RU" : "en-GB", { maximumFractionDigits: 2 }).format(card.rateBp / 100);
  return (
    <>
      <section class={`panel balance-panel tier-${card.tier}`} data-testid="balance-panel">
        <div class="balance-label">{t("balance-label")}</div>
        <div class="balance" data-testid="balance" data-points={card.balance}>
          {t("points", { count: card.balance })}
        </div>
        <div class="tier-line" data-testid="tier">
          {t("tier-label", { tier: t(`tier-${card.tier}`) })}
        </div>
        <div
          class="progress"
          role="progressbar"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(progress * 100)}
          data-testid="tier-progress"
        >
          <div class="progress-fill" style={{ width: `${(progress * 100).toFixed(1)}%` }} />
        </div>
        {nextThreshold !== null && card.nextTier && card.pointsToNext !== null ? (
          <div class="hint">
            {t("tier-progress", { earned: card.earned, threshold: nextThreshold })}
            <br />
            {t("tier-to-next", { points: t("points", { count: card.pointsToNext }), tier: t(`tier-${card.nextTier}`) })}
          </div>
        ) : (
          <div class="hint">{t("tier-top")}</div>
        )}
        <div class="hint">{t("rate-line", { rate })}</div>
      </section>
      <TillCode ui={ui} />
    </>
  );
}

/** How long before a code expires the page asks for the next one (a code read out at the last second still works). */
const refreshLeadMs = 30_000;
/** After a failed request for a code (no network for a moment), the page asks again this much later by itself. */
const retryAfterMs = 15_000;

/**
 * The one-time code for the till, as digits and as a QR. A fresh code is asked for a little before this one expires,
 * counted from when it arrived (the phone's clock may differ from the server's), and again when the page comes back
 * into view after the phone slept through the moment.
 */
function TillCode({ ui }: { ui: Ui }) {
  const { t } = ui;
  const [code, setCode] = useState<{ value: TillCodeResponse; refreshAt: number; expiresAt: number } | null>(null);
  /** Set after a failed request: when to ask again (null: the last request succeeded). */
  const [retryAt, setRetryAt] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const inFlight = useRef(false);
  const issued = useRef(0);

  const refresh = useCallback(async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    try {
      const value = await ui.api.tillCode();
      const receivedAt = Date.now();
      const ttlMs = value.ttlSeconds * 1000;
      setCode({ value, expiresAt: receivedAt + ttlMs, refreshAt: receivedAt + Math.max(ttlMs / 2, ttlMs - refreshLeadMs) });
      setRetryAt(null);
      if (issued.current++ > 0) ui.telegram.haptic("light");
    } catch (error) {
      setRetryAt(Date.now() + retryAfterMs);
      ui.failed(error);
    } finally {
      inFlight.current = false;
    }
  }, [ui.api, ui.failed]);

  useEffect(() => void refresh(), [refresh]);

  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 1000);
    const onVisible = () => document.visibilityState === "visible" && setNow(Date.now());
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      clearInterval(tick);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, []);

  // Checked on every tick rather than with one long timer: timers stop while the phone sleeps.
  useEffect(() => {
    const due = retryAt !== null ? now >= retryAt : code !== null && now >= code.refreshAt;
    if (due) void refresh();
  }, [now, code, retryAt, refresh]);

  const failed = retryAt !== null;
  const expired = code !== null && now >= code.expiresAt;
  // Until the next code; while a request is failing, until this one expires.
  const secondsLeft = code ? Math.max(0, Math.ceil(((failed ? code.expiresAt : code.refreshAt) - now) / 1000)) : 0;
  const countdown = `${Math.floor(secondsLeft / 60)}:${String(secondsLeft % 60).padStart(2, "0")}`;

  return (
    <section class="panel code-panel" data-testid="till-code-panel">
      <h2>{t("code-title")}</h2>
      {code && !expired ? (
        <>
          <QrCode text={code.value.code} size={200} label={t("code-qr-label")} testId="till-qr" />
          <div class="code-digits" data-testid="till-code">
            {code.value.code.slice(0, 3)} {code.value.code.slice(3)}
          </div>
          <div class="hint" data-testid="till-countdown">
            {t(failed ? "code-valid" : "code-expires", { time: countdown })}
          </div>
        </>
      ) : failed ? (
        <div class="inline-error">
          {t("code-failed")}{" "}
          <button class="button link" onClick={() => void refresh()}>
            {t("code-retry")}
          </button>
        </div>
      ) : (
        <div class="hint">{t("code-refreshing")}</div>
      )}
      <p class="hint">{t("code-hint")}</p>
    </section>
  );
}
