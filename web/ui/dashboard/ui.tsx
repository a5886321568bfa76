import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { HttpError } from "../shared/http.js";
import type { Translate } from "../shared/i18n.js";
import { useLocale } from "./i18n.js";

/** Error codes the server answers with that have their own text here; any other shows the server's message. */
const localizedCodes = new Set([
  "CSRF",
  "FORBIDDEN",
  "NOT_FOUND",
  "CLIENT_NOT_FOUND",
  "PARTNER_NOT_FOUND",
  "PARTNER_NOT_ACTIVE",
  "ALREADY_MODERATED",
  "NOT_REVERSIBLE",
  "IDEMPOTENCY_KEY_REUSED",
  "JOB_NOT_DEAD",
]);

/** What to tell the person about a failed call: a known code in their language, a 400 naming the field, else the server's words. */
export function errorText(t: Translate, error: unknown): string {
  if (!(error instanceof HttpError)) return t("error-network");
  const { code, message, field } = error.error;
  if (error.status === 401) return t("error-session");
  if (localizedCodes.has(code)) return t(`error-${code.toLowerCase().replaceAll("_", "-")}`);
  if (error.status === 403) return t("error-forbidden");
  if (error.status === 429) return t("error-rate-limited");
  // The server's zod messages start with the field's path ("welcomeBonus: Too big…"): named once.
  if (error.status === 400 && field) return t("error-field", { field, message: message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message });
  if (error.status >= 500) return t("error-server");
  return message;
}

export function ErrorMessage({ error }: { error: unknown }) {
  const { t } = useLocale();
  if (!error) return null;
  return (
    <div class="error" role="alert" data-testid="error">
      {errorText(t, error)}
    </div>
  );
}

export type Loaded<T> = { data: T | null; error: unknown; loading: boolean; reload(): void };

/** Loads `load()` when `deps` change; an answer to an older request never overwrites a newer one. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean }>({ data: null, error: null, loading: true });
  const [reloads, setReloads] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const request = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => request === latest.current && setState({ data, error: null, loading: false }),
      (error: unknown) => request === latest.current && setState({ data: null, error, loading: false }),
    );
  }, [...deps, reloads]);
  return { ...state, reload: () => setReloads((n) => n + 1) };
}

/** A loaded page's body: the error, a loading line, or the content once the data is there. */
export function LoadedView<T>({ loaded, children }: { loaded: Loaded<T>; children: (data: T) => ComponentChildren }) {
  const { t } = useLocale();
  if (loaded.error) return <ErrorMessage error={loaded.error} />;
  if (!loaded.data) return <p class="muted">{t("loading")}</p>;
  return <>{children(loaded.data)}</>;
}

/** A reason asked before a decision that needs one (reject, block, undo…); at least 3 characters as the server wants. */
export function ReasonForm({ submitLabel, onSubmit, onCancel }: { submitLabel: string; onSubmit(reason: string): Promise<void>; onCancel(): void }) {
  const { t } = useLocale();
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <form
      class="inline-form"
      data-testid="reason-form"
      onSubmit={async (event) => {
        event.preventDefault();
        if (busy) return;
        setBusy(true);
        setError(null);
        try {
          await onSubmit(reason.trim());
        } catch (e) {
          setError(e);
          setBusy(false);
        }
      }}
    >
      <input
        type="text"
        required
        minLength={3}
        maxLength={500}
        placeholder={t("reason-placeholder")}
        aria-label={t("reason")}
        value={reason}
        onInput={(e) => setReason(e.currentTarget.value)}
        data-testid="reason"
      />
      <button type="submit" class="primary" disabled={busy} data-testid="reason-submit">
        {submitLabel}
      </button>
      <button type="button" onClick={onCancel}>
        {t("cancel")}
      </button>
      <ErrorMessage error={error} />
    </form>
  );
}

/** A button that runs a change once at a time and shows its error next to it. */
export function ActionButton({ label, run, class: className, testId }: { label: string; run(): Promise<void>; class?: string; testId?: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <>
      <button
        type="button"
        class={className}
        disabled={busy}
        data-testid={testId}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            await run();
          } catch (e) {
            setError(e);
          } finally {
            setBusy(false);
          }
        }}
      >
        {label}
      </button>
      <ErrorMessage error={error} />
    </>
  );
}

export function Empty() {
  const { t } = useLocale();
  return <p class="muted">{t("nothing-here")}</p>;
}

export function PageTitle({ children }: { children: ComponentChildren }) {
  return <h1 class="page-title">{children}</h1>;
}
