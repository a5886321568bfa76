import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import type { CardResponse } from "../../api.js";
import { createTranslator, pickLanguage, type Language } from "../shared/i18n.js";
import { appApi } from "./api.js";
import { CardView } from "./card.js";
import { ErrorScreen, errorKind, type ErrorKind } from "./errors.js";
import { FriendsView } from "./friends.js";
import { HistoryView } from "./history.js";
import en from "./locales/en.ftl?raw";
import ru from "./locales/ru.ftl?raw";
import { NetworkView } from "./network.js";
import type { Telegram } from "./telegram.js";
import type { Ui } from "./ui.js";

const sources = { ru, en };
const tabs = ["card", "history", "friends", "network"] as const;
type Tab = (typeof tabs)[number];

export function App({ telegram }: { telegram: Telegram }) {
  // Telegram's language until the card says which one the client chose in the bot.
  const [language, setLanguage] = useState<Language>(() => pickLanguage(telegram.languageCode ?? navigator.language));
  const t = useMemo(() => createTranslator(sources, language), [language]);
  const api = useMemo(() => (telegram.initData ? appApi(telegram.initData) : null), [telegram.initData]);
  const [card, setCard] = useState<CardResponse | null>(null);
  const [failure, setFailure] = useState<{ kind: ErrorKind; code: string } | null>(null);
  const failed = useCallback((error: unknown) => {
    const found = errorKind(error);
    if (found.kind === "auth" || found.kind === "blocked" || found.kind === "not-client") setFailure(found);
  }, []);
  const ui: Ui | null = useMemo(() => (api ? { api, t, language, telegram, failed } : null), [api, t, language, telegram, failed]);
  const [tab, setTab] = useState<Tab>("card");
  // A view once opened stays mounted (hidden when another is shown): the history keeps its pages, the card its code.
  const [visited, setVisited] = useState<ReadonlySet<Tab>>(() => new Set(["card"]));
  const open = (next: Tab) => {
    setTab(next);
    setVisited((current) => (current.has(next) ? current : new Set([...current, next])));
  };
  const [languageFailed, setLanguageFailed] = useState(false);

  const loadCard = useCallback(async () => {
    if (!api) return;
    setFailure(null);
    try {
      const answer = await api.card();
      setCard(answer);
      setLanguage(answer.language);
    } catch (error) {
      setFailure(errorKind(error));
    }
  }, [api]);

  useEffect(() => void loadCard(), [loadCard]);
  useEffect(() => {
    document.documentElement.lang = language;
    document.title = t("app-title");
  }, [language, t]);

  // Any view but the card is a sub-view: Telegram's back button returns to the card.
  useEffect(() => (tab === "card" ? undefined : telegram.showBackButton(() => open("card"))), [tab, telegram]);

  const chooseLanguage = async (next: Language) => {
    if (!api || next === language) return;
    const previous = language;
    setLanguage(next);
    setLanguageFailed(false);
    try {
      await api.setLanguage(next);
    } catch (error) {
      setLanguage(previous);
      setLanguageFailed(true);
      failed(error);
    }
  };

  if (!ui) return <ErrorScreen kind="not-telegram" t={t} />;
  if (failure) return <ErrorScreen kind={failure.kind} code={failure.code} t={t} retry={() => void loadCard()} />;
  if (!card) return <p class="hint center loading" data-testid="loading">{t("loading")}</p>;

  return (
    <div class="app" data-testid="app">
      <header class="top">
        <div class="greeting">{card.firstName ?? t("app-title")}</div>
        <div class="language" role="group" aria-label={t("language-title")} data-testid="language">
          {(["ru", "en"] as const).map((code) => (
            <button key={code} class={`chip ${language === code ? "active" : ""}`} aria-pressed={language === code} data-testid={`language-${code}`} onClick={() => void chooseLanguage(code)}>
              {t(`language-${code}`)}
            </button>
          ))}
        </div>
      </header>
      {languageFailed ? <p class="inline-error">{t("language-failed")}</p> : null}
      <nav class="tabs" role="tablist">
        {tabs.map((name) => (
          <button key={name} role="tab" class={`tab ${tab === name ? "active" : ""}`} aria-selected={tab === name} data-testid={`tab-${name}`} onClick={() => open(name)}>
            {t(`tab-${name}`)}
          </button>
        ))}
      </nav>
      <main>
        {tabs
          .filter((name) => visited.has(name))
          .map((name) => (
            <div key={name} role="tabpanel" hidden={tab !== name} data-testid={`view-${name}`}>
              {name === "card" ? <CardView ui={ui} card={card} /> : null}
              {name === "history" ? <HistoryView ui={ui} /> : null}
              {name === "friends" ? <FriendsView ui={ui} referral={card.referral} /> : null}
              {name === "network" ? <NetworkView ui={ui} /> : null}
            </div>
          ))}
      </main>
    </div>
  );
}
