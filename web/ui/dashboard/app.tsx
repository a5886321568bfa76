import type { MeResponse } from "../../api.js";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { callApi, HttpError } from "../shared/http.js";
import type { Language } from "../shared/i18n.js";
import { change, get, sessionEndedEvent, setCsrfToken } from "./dashboard-api.js";
import { initialLanguage, LocaleContext, saveLanguage, savedLanguage, translatorFor, useLocale, type Locale } from "./i18n.js";
import { lastDays, type Period } from "./period.js";
import { Link, useRoute, type Route } from "./router.js";
import { ErrorMessage } from "./ui.js";
import { AuditPage } from "./pages/audit.js";
import { BroadcastsPage } from "./pages/broadcasts.js";
import { ClientCardPage } from "./pages/client-card.js";
import { ClientsPage } from "./pages/clients.js";
import { ExportsPage } from "./pages/exports.js";
import { JobsPage } from "./pages/jobs.js";
import { OverviewPage } from "./pages/overview.js";
import { PartnersPage } from "./pages/partners.js";
import { PromotionsPage } from "./pages/promotions.js";
import { ServicesPage } from "./pages/services.js";
import { SettingsPage } from "./pages/settings.js";
import { SettlementPage } from "./pages/settlement.js";

type Session =
  | { state: "starting" }
  | { state: "signed-in"; me: MeResponse }
  | { state: "signed-out"; why: SignedOutWhy; error?: unknown };

/** Why there is no session: none yet, the link did not work, signed out here, or ended by the server (expired, "log out everywhere"). */
type SignedOutWhy = "no-session" | "link-failed" | "signed-out" | "ended";

/** The sign-in token the bot's link carries in the fragment (#sign-in=<token>). */
const signInToken = () => /^#sign-in=([A-Za-z0-9_-]+)/.exec(location.hash)?.[1] ?? null;

async function startSession(): Promise<Session> {
  const token = signInToken();
  if (token) {
    // Out of the address bar (and of history) before anything else: the token works once, a reload must not resend it.
    history.replaceState(null, "", location.pathname + location.search);
    try {
      return { state: "signed-in", me: await callApi<MeResponse>("POST", "/api/dashboard/sign-in", { body: { token } }) };
    } catch (error) {
      return { state: "signed-out", why: "link-failed", error };
    }
  }
  try {
    return { state: "signed-in", me: await callApi<MeResponse>("GET", "/api/dashboard/me") };
  } catch (error) {
    if (error instanceof HttpError && error.status === 401) return { state: "signed-out", why: "no-session" };
    return { state: "signed-out", why: "no-session", error };
  }
}

export function App() {
  const [session, setSession] = useState<Session>({ state: "starting" });
  const [language, setLanguageState] = useState<Language>(initialLanguage);

  useEffect(() => {
    void startSession().then((started) => {
      if (started.state === "signed-in") {
        setCsrfToken(started.me.csrfToken);
        setLanguageState(savedLanguage() ?? started.me.language);
      }
      setSession(started);
    });
  }, []);

  useEffect(() => {
    const ended = () => setSession((current) => (current.state === "signed-in" ? { state: "signed-out", why: "ended" } : current));
    window.addEventListener(sessionEndedEvent, ended);
    return () => window.removeEventListener(sessionEndedEvent, ended);
  }, []);

  const locale = useMemo<Locale>(
    () => ({
      language,
      t: translatorFor(language),
      setLanguage: (next) => {
        saveLanguage(next);
        setLanguageState(next);
      },
    }),
    [language],
  );
  useEffect(() => {
    document.documentElement.lang = language;
    document.title = locale.t("title");
  }, [locale]);

  return (
    <LocaleContext.Provider value={locale}>
      {session.state === "starting" ? (
        <p class="muted centered">{locale.t("loading")}</p>
      ) : session.state === "signed-out" ? (
        <SignedOut why={session.why} error={session.error} />
      ) : (
        <Dashboard
          me={session.me}
          onSignedOut={() => setSession({ state: "signed-out", why: "signed-out" })}
          onMe={(me) => {
            // Another session in this browser now (signed in again in another tab, maybe as someone else): the page follows it.
            if (me.csrfToken === session.me.csrfToken) return;
            setCsrfToken(me.csrfToken);
            setSession({ state: "signed-in", me });
          }}
        />
      )}
    </LocaleContext.Provider>
  );
}

function LanguageSwitch() {
  const { language, setLanguage } = useLocale();
  return (
    <span class="language" data-testid="language">
      {(["ru", "en"] as const).map((code) => (
        <button type="button" key={code} class={code === language ? "chip selected" : "chip"} onClick={() => setLanguage(code)} aria-pressed={code === language}>
          {code.toUpperCase()}
        </button>
      ))}
    </span>
  );
}

function SignedOut({ why, error }: { why: SignedOutWhy; error?: unknown }) {
  const { t } = useLocale();
  return (
    <main class="signed-out" data-testid="signed-out">
      <div class="card">
        <div class="card-head">
          <h1>{t("title")}</h1>
          <LanguageSwitch />
        </div>
        {why === "link-failed" && (
          <p class="error" role="alert" data-testid="sign-in-failed">
            {error instanceof HttpError && error.status < 500 ? t("sign-in-link-failed") : t("error-network")}
          </p>
        )}
        {why === "signed-out" && <p>{t("signed-out")}</p>}
        {why === "ended" && (
          <p class="error" role="alert" data-testid="session-ended">
            {t("session-ended")}
          </p>
        )}
        {why === "no-session" && error !== undefined && <ErrorMessage error={error} />}
        <p data-testid="how-to-sign-in">{t("how-to-sign-in")}</p>
      </div>
    </main>
  );
}

/** How often an open page asks whether its session still exists, besides whenever the tab comes back into view. */
const sessionCheckIntervalMs = 60_000;

/**
 * "Log out everywhere" in the bot (or the session's expiry) ends the session on the server; a page left open would
 * keep showing data until its next call. So it asks /me when the tab regains focus or visibility and once a minute:
 * a 401 raises the session-ended event (dashboard-api.ts), other failures (offline for a moment) wait for the next check.
 * An answer is passed on: after a sign-in in another tab the browser's cookie is a new session, with its own CSRF token.
 */
function useSessionCheck(onMe: (me: MeResponse) => void) {
  const latestOnMe = useRef(onMe);
  latestOnMe.current = onMe;
  useEffect(() => {
    const check = () => {
      if (document.visibilityState === "visible") get<MeResponse>("me").then((me) => latestOnMe.current(me), () => {});
    };
    const timer = setInterval(check, sessionCheckIntervalMs);
    window.addEventListener("focus", check);
    document.addEventListener("visibilitychange", check);
    return () => {
      clearInterval(timer);
      window.removeEventListener("focus", check);
      document.removeEventListener("visibilitychange", check);
    };
  }, []);
}

type NavItem = { path: string; label: string; adminOnly: boolean };
const navItems: NavItem[] = [
  { path: "", label: "nav-overview", adminOnly: false },
  { path: "partners", label: "nav-partners", adminOnly: true },
  { path: "clients", label: "nav-clients", adminOnly: false },
  { path: "promotions", label: "nav-promotions", adminOnly: false },
  { path: "services", label: "nav-services", adminOnly: false },
  { path: "broadcasts", label: "nav-broadcasts", adminOnly: false },
  { path: "settlement", label: "nav-settlement", adminOnly: true },
  { path: "exports", label: "nav-exports", adminOnly: false },
  { path: "jobs", label: "nav-jobs", adminOnly: true },
  { path: "audit", label: "nav-audit", adminOnly: true },
  { path: "settings", label: "nav-settings", adminOnly: true },
];

function Dashboard({ me, onSignedOut, onMe }: { me: MeResponse; onSignedOut(): void; onMe(me: MeResponse): void }) {
  const { t } = useLocale();
  const route = useRoute();
  // One period for the overview, the settlement and the exports: chosen once, it stays while moving between them.
  const [period, setPeriod] = useState<Period>(() => lastDays(30));
  const [signOutError, setSignOutError] = useState<unknown>(null);
  const isAdmin = me.role === "admin";
  const items = navItems.filter((item) => isAdmin || !item.adminOnly);
  const section = route.path[0] ?? "";
  const known = navItems.find((item) => item.path === section);
  useSessionCheck(onMe);

  return (
    <div class="layout">
      <header class="topbar">
        <Link to="" class="brand">
          {t("title")}
        </Link>
        <span class="who" data-testid="who">
          {isAdmin ? t("role-admin") : t("role-partner", { name: me.partner?.name ?? "" })}
        </span>
        <span class="spacer" />
        <LanguageSwitch />
        <button
          type="button"
          class="link-button"
          data-testid="sign-out"
          onClick={async () => {
            try {
              await change("POST", "sign-out");
              onSignedOut();
            } catch (error) {
              setSignOutError(error);
            }
          }}
        >
          {t("sign-out")}
        </button>
      </header>
      <ErrorMessage error={signOutError} />
      <div class="body">
        <nav class="nav" data-testid="nav">
          {items.map((item) => (
            <Link key={item.path} to={item.path} class={item.path === section ? "selected" : ""} testId={`nav-${item.path || "overview"}`}>
              {t(item.label)}
            </Link>
          ))}
        </nav>
        <main class="content">
          {!known ? (
            <p class="error">{t("page-not-found")}</p>
          ) : known.adminOnly && !isAdmin ? (
            <p class="error" role="alert" data-testid="error">
              {t("error-forbidden")}
            </p>
          ) : (
            <Page route={route} me={me} period={period} setPeriod={setPeriod} />
          )}
        </main>
      </div>
    </div>
  );
}

export type PageProps = { route: Route; me: MeResponse; period: Period; setPeriod(period: Period): void };

function Page(props: PageProps) {
  const [section, id] = props.route.path;
  switch (section ?? "") {
    case "":
      return <OverviewPage {...props} />;
    case "partners":
      return <PartnersPage {...props} />;
    case "clients":
      return id ? <ClientCardPage key={id} {...props} clientId={id} /> : <ClientsPage {...props} />;
    case "promotions":
      return <PromotionsPage {...props} />;
    case "services":
      return <ServicesPage {...props} />;
    case "broadcasts":
      return <BroadcastsPage {...props} />;
    case "settlement":
      return <SettlementPage {...props} />;
    case "exports":
      return <ExportsPage {...props} />;
    case "jobs":
      return <JobsPage {...props} />;
    case "audit":
      return <AuditPage />;
    case "settings":
      return <SettingsPage />;
    default:
      return null;
  }
}
