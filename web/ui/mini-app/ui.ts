import type { Language, Translate } from "../shared/i18n.js";
import type { AppApi } from "./api.js";
import type { Telegram } from "./telegram.js";

/** What every view of the page needs: the API, the strings in the chosen language, and Telegram's extras. */
export type Ui = {
  api: AppApi;
  t: Translate;
  language: Language;
  telegram: Telegram;
  /**
   * Told of every failed call: one that means the page can go no further (initData expired while it stayed open, the
   * client blocked or deleted meanwhile) replaces the page with its error screen; others the view shows itself.
   */
  failed: (error: unknown) => void;
};
