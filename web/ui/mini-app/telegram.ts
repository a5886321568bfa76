import {
  backButton,
  hapticFeedback,
  init,
  isTMA,
  miniApp,
  retrieveLaunchParams,
  retrieveRawInitData,
  shareURL,
  themeParams,
} from "@telegram-apps/sdk";

/**
 * What the page takes from Telegram: the signed initData (our only credential), the person's language, the theme,
 * the back button and haptics. Everything is guarded: outside Telegram (a plain browser, the sandbox's iframe, a
 * client too old for a method) the page still works, with prefers-color-scheme for the theme and no haptics.
 */
export type Telegram = {
  /** The raw initData query string, sent as `Authorization: tma <initData>`; null when the page was not opened by Telegram. */
  initData: string | null;
  languageCode: string | null;
  /** Shows Telegram's back button while a sub-view is open; the returned function hides it again. */
  showBackButton(onBack: () => void): () => void;
  haptic(kind: "success" | "light"): void;
  /** Telegram's share sheet for a link; false when not available (the caller shares another way). */
  shareLink(url: string, text: string): boolean;
};

/** Runs a Telegram call that may be unsupported here; a failure means "not here", never an error for the person. */
function attempt<T>(call: () => T): T | undefined {
  try {
    return call();
  } catch {
    return undefined;
  }
}

export function startTelegram(): Telegram {
  const inTelegram = attempt(() => isTMA()) === true;
  if (inTelegram) {
    attempt(() => init());
    // The theme's colours become CSS variables (--tg-theme-bg-color, …) the stylesheet prefers to its own.
    attempt(() => {
      themeParams.mountSync();
      themeParams.bindCssVars();
    });
    attempt(() => {
      miniApp.mountSync();
      miniApp.ready();
    });
    attempt(() => backButton.mount());
    const dark = attempt(() => themeParams.isDark());
    if (dark !== undefined) document.documentElement.dataset.theme = dark ? "dark" : "light";
  }
  const launch = inTelegram ? attempt(() => retrieveLaunchParams(true)) : undefined;
  return {
    initData: (inTelegram ? attempt(() => retrieveRawInitData()) : undefined) ?? null,
    languageCode: launch?.tgWebAppData?.user?.languageCode ?? null,
    showBackButton(onBack) {
      if (!inTelegram || attempt(() => backButton.show.isAvailable()) !== true) return () => {};
      const off = attempt(() => backButton.onClick(onBack));
      attempt(() => backButton.show());
      return () => {
        off?.();
        attempt(() => backButton.hide());
      };
    },
    haptic(kind) {
      if (!inTelegram) return;
      if (kind === "success") attempt(() => hapticFeedback.notificationOccurred.isAvailable() && hapticFeedback.notificationOccurred("success"));
      else attempt(() => hapticFeedback.impactOccurred.isAvailable() && hapticFeedback.impactOccurred("light"));
    },
    shareLink(url, text) {
      if (!inTelegram || attempt(() => shareURL.isAvailable()) !== true) return false;
      return attempt(() => {
        shareURL(url, text);
        return true;
      }) === true;
    },
  };
}
