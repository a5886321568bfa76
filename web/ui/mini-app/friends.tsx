import { useState } from "preact/hooks";
import type { CardResponse } from "../../api.js";
import { QrCode } from "./qr.js";
import type { Ui } from "./ui.js";

/** The client's invitation link: its QR, how many friends came and brought a bonus, copy and share. */
export function FriendsView({ ui, referral }: { ui: Ui; referral: CardResponse["referral"] }) {
  const { t } = ui;
  const [copyState, setCopyState] = useState<"idle" | "copied" | "failed">("idle");

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(referral.link);
      setCopyState("copied");
      ui.telegram.haptic("success");
    } catch {
      setCopyState("failed");
    }
  };

  const share = async () => {
    const text = t("share-text");
    if (ui.telegram.shareLink(referral.link, text)) return;
    if (typeof navigator.share === "function") {
      // Cancelled by the person, or not allowed here: copying still works.
      await navigator.share({ url: referral.link, text }).catch(() => undefined);
      return;
    }
    await copy();
  };

  return (
    <section class="panel" data-testid="friends">
      <h2>{t("friends-title")}</h2>
      <p>{t("friends-hint", { bonus: t("points", { count: referral.bonusPoints }) })}</p>
      <div class="stats">
        <div class="stat" data-testid="friends-joined">
          <div class="stat-value">{referral.joined}</div>
          <div class="hint">{t("friends-joined")}</div>
        </div>
        <div class="stat" data-testid="friends-rewarded">
          <div class="stat-value">{referral.rewarded}</div>
          <div class="hint">{t("friends-rewarded")}</div>
        </div>
      </div>
      <QrCode text={referral.link} size={200} label={t("friends-qr-label")} testId="referral-qr" />
      <div class="link-box" data-testid="referral-link">
        {referral.link}
      </div>
      <div class="hint">{t("friends-code", { code: referral.code })}</div>
      <div class="buttons">
        <button class="button primary" onClick={() => void share()}>
          {t("share-link")}
        </button>
        <button class="button" data-testid="copy-link" onClick={() => void copy()}>
          {copyState === "copied" ? `✓ ${t("copied")}` : t("copy-link")}
        </button>
      </div>
      {copyState === "failed" ? <p class="inline-error">{t("copy-failed")}</p> : null}
    </section>
  );
}
