import type { ApiError } from "../../api.js";

/** A refused API call: the HTTP status and the server's `{ error }` (code, message, and the field for a 400). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: ApiError["error"],
  ) {
    super(error.message);
  }
}

/**
 * Calls the web server's JSON API. `headers` carries the page's credentials (the Mini App's `Authorization: tma …`,
 * the dashboard's `X-CSRF-Token`; the dashboard's cookie goes by itself). Resolves with the JSON (undefined for 204),
 * rejects with an HttpError.
 */
export async function callApi<T>(method: "GET" | "POST" | "PUT" | "DELETE", path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: { ...(options.body !== undefined && { "content-type": "application/json" }), ...options.headers },
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
  });
  if (res.status === 204) return undefined as T;
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const error = (json as ApiError | null)?.error ?? { code: "HTTP", message: `${res.status} ${res.statusText}` };
    throw new HttpError(res.status, error);
  }
  return json as T;
}
