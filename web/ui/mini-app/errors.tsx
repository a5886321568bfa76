import { HttpError } from "../shared/http.js";
import type { Translate } from "../shared/i18n.js";

export type ErrorKind = "not-telegram" | "auth" | "not-client" | "blocked" | "network" | "other";

/** What a failed call means for the person: each kind has its own words and what to do next. */
export function errorKind(error: unknown): { kind: ErrorKind; code: string } {
  if (!(error instanceof HttpError)) return { kind: "network", code: "NETWORK" };
  const code = error.error.code;
  if (error.status === 401) return { kind: "auth", code };
  if (error.status === 404 && code === "NOT_A_CLIENT") return { kind: "not-client", code };
  if (error.status === 403 && code === "CLIENT_BLOCKED") return { kind: "blocked", code };
  return { kind: "other", code };
}

/** The whole page when it cannot show the card. Retry only where trying again can help. */
export function ErrorScreen({ kind, code, t, retry }: { kind: ErrorKind; code?: string; t: Translate; retry?: () => void }) {
  const text = t(`error-${kind}`, { code: code ?? "" });
  const canRetry = retry && (kind === "network" || kind === "other");
  return (
    <main class="error-screen" data-testid="error-screen" data-error-kind={kind}>
      <div class="error-icon" aria-hidden="true">
        {kind === "network" ? "📡" : kind === "blocked" ? "⛔" : "💳"}
      </div>
      <h1>{t("error-title")}</h1>
      <p>{text}</p>
      {canRetry ? (
        <button class="button primary" onClick={retry}>
          {t("retry")}
        </button>
      ) : null}
    </main>
  );
}
