import { callApi, HttpError } from "../shared/http.js";

/**
 * The dashboard's calls to /api/dashboard/*. The session cookie goes by itself; every change carries the CSRF token
 * that /me (and sign-in) answered with — one signed-in person per page, so the token is kept here once.
 */
let csrfToken = "";
export const setCsrfToken = (token: string) => {
  csrfToken = token;
};

export type Query = Record<string, string | number | undefined | null>;

/** `?a=1&b=x` from the values that are set (empty strings left out), or "". */
export function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : "";
}

export const apiPath = (path: string, query: Query = {}) => `/api/dashboard/${path}${queryString(query)}`;

/** Sent on window when the server no longer knows the session (it expired, or "log out everywhere" in the bot). */
export const sessionEndedEvent = "dashboard:session-ended";

async function endedSessionsNoticed<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof HttpError && error.status === 401) window.dispatchEvent(new Event(sessionEndedEvent));
    throw error;
  }
}

export const get = <T,>(path: string, query: Query = {}) => endedSessionsNoticed(callApi<T>("GET", apiPath(path, query)));

export const change = <T = void,>(method: "POST" | "PUT" | "DELETE", path: string, body?: unknown) =>
  endedSessionsNoticed(callApi<T>(method, apiPath(path), { body, headers: { "X-CSRF-Token": csrfToken } }));
