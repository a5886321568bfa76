import type { CardResponse, HistoryResponse, NetworkResponse, TillCodeResponse } from "../../api.js";
import { callApi } from "../shared/http.js";

/** The Mini App's calls to /api/app/*, each signed with Telegram's initData (the server checks it on every call). */
export function appApi(initData: string) {
  const headers = { authorization: `tma ${initData}` };
  return {
    card: () => callApi<CardResponse>("GET", "/api/app/card", { headers }),
    tillCode: () => callApi<TillCodeResponse>("POST", "/api/app/code", { headers }),
    history: (before: number | null) =>
      callApi<HistoryResponse>("GET", `/api/app/history?limit=20${before === null ? "" : `&before=${before}`}`, { headers }),
    network: () => callApi<NetworkResponse>("GET", "/api/app/network", { headers }),
    setLanguage: (language: "ru" | "en") => callApi<{ language: "ru" | "en" }>("PUT", "/api/app/language", { body: { language }, headers }),
  };
}

export type AppApi = ReturnType<typeof appApi>;
