import type { Language, Translate } from "../shared/i18n.js";
import type { AppApi } from "./api.js";
import type { Telegram } from "./telegram.js";

/** What every view of the page needs: the API, the strings in the chosen language, and Telegram's extras. */
export type Ui = { api: AppApi; t: Translate; language: Language; telegram: Telegram };
