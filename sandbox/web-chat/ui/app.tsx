import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from "preact/hooks";
import { api } from "./api.js";
import { isSafeUrl } from "./format.js";
import { isOwnWebApp, parseBotLink, type BotLink } from "./links.js";
import { Pane, personaName } from "./pane.js";
import { Rail } from "./rail.js";
import { chatKey, chatsReducer, emptyChat, initialChats } from "./store.js";
import type { BotName, ChatEvent, Persona, SandboxState, SendBody } from "../protocol.js";

type OpenPane = { bot: BotName; telegramId: number };

const panesStorageKey = "sandbox-web-chat:panes";
const languageStorageKey = "sandbox-web-chat:language";

function savedPanes(): OpenPane[] {
  try {
    const panes = JSON.parse(localStorage.getItem(panesStorageKey) ?? "[]") as OpenPane[];
    return Array.isArray(panes) ? panes.filter((p) => typeof p.telegramId === "number" && typeof p.bot === "string") : [];
  } catch {
    return [];
  }
}

export function App() {
  const [state, setState] = useState<SandboxState | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [panes, setPanes] = useState<OpenPane[]>(savedPanes);
  const [chats, dispatch] = useReducer(chatsReducer, initialChats);
  const [language, setLanguage] = useState<"ru" | "en">(() => (localStorage.getItem(languageStorageKey) === "en" ? "en" : "ru"));
  const [chooser, setChooser] = useState<BotLink | null>(null);
  const [webApp, setWebApp] = useState<{ bot: BotName; launchUrl: string } | null>(null);
  const [live, setLive] = useState(false);
  const [reloads, setReloads] = useState(0);

  const refreshState = useCallback(async () => {
    try {
      setState(await api.state());
      setLoadError(null);
    } catch (error) {
      setLoadError(`The sandbox does not answer (${error}); is it running?`);
    }
  }, []);

  useEffect(() => void refreshState(), []);
  useEffect(() => localStorage.setItem(panesStorageKey, JSON.stringify(panes)), [panes]);
  useEffect(() => localStorage.setItem(languageStorageKey, language), [language]);

  // People change while you play (an applicant becomes an owner, a client gets a tier): the list follows, a little later.
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const refreshSoon = useCallback(() => {
    clearTimeout(refreshTimer.current);
    refreshTimer.current = setTimeout(() => void refreshState(), 1200);
  }, [refreshState]);

  useEffect(() => {
    const source = new EventSource("/api/events");
    let wasDown = false;
    source.onopen = () => {
      setLive(true);
      // After a reconnection the open chats may have missed events: read them again.
      if (wasDown) {
        setReloads((n) => n + 1);
        void refreshState();
      }
      wasDown = false;
    };
    source.onerror = () => {
      setLive(false);
      wasDown = true;
    };
    source.onmessage = (message) => {
      const event = JSON.parse(message.data as string) as ChatEvent;
      dispatch({ type: "event", event });
      if (event.type === "message") refreshSoon();
    };
    return () => source.close();
  }, []);

  // Each open chat's history, read when its pane opens (and again after the event stream reconnects).
  const loadedFor = useRef(new Map<string, number>());
  useEffect(() => {
    for (const pane of panes) {
      const key = chatKey(pane.bot, pane.telegramId);
      if (loadedFor.current.get(key) === reloads) continue;
      loadedFor.current.set(key, reloads);
      api.chat(pane.bot, pane.telegramId).then(
        (view) => dispatch({ type: "loaded", key, view }),
        (error) => {
          loadedFor.current.delete(key);
          dispatch({ type: "notice", key, text: `Could not load the chat: ${error}`, alert: false });
        },
      );
    }
    for (const key of loadedFor.current.keys()) {
      if (!panes.some((p) => chatKey(p.bot, p.telegramId) === key)) loadedFor.current.delete(key);
    }
  }, [panes, reloads]);

  const openPane = useCallback((bot: BotName, telegramId: number) => {
    setPanes((current) => (current.some((p) => p.bot === bot && p.telegramId === telegramId) ? current : [...current, { bot, telegramId }]));
    requestAnimationFrame(() =>
      document.querySelector(`[data-testid="pane-${bot}-${telegramId}"]`)?.scrollIntoView({ behavior: "smooth", inline: "nearest" }),
    );
  }, []);

  const send = useCallback(async (bot: BotName, telegramId: number, body: SendBody) => {
    try {
      await api.send(bot, telegramId, body);
    } catch (error) {
      dispatch({ type: "notice", key: chatKey(bot, telegramId), text: `Not sent: ${error}`, alert: false });
    }
  }, []);

  const createPersona = useCallback(
    async (role: "client" | "applicant"): Promise<Persona | null> => {
      try {
        const persona = await api.createPersona(role, language);
        await refreshState();
        return persona;
      } catch (error) {
        setLoadError(`Could not create a person: ${error}`);
        return null;
      }
    },
    [language, refreshState],
  );

  const openLink = useCallback(
    (url: string) => {
      const link = state ? parseBotLink(url, state.bots) : null;
      if (link) setChooser(link);
      else if (isSafeUrl(url)) window.open(url, "_blank", "noopener");
    },
    [state],
  );

  /**
   * A web_app button: the sandbox's own Mini App opens over the page in a phone-sized frame, launched as Telegram
   * launches it (the server signs initData for this person); any other URL is only a link.
   */
  const openWebApp = useCallback(
    async (bot: BotName, telegramId: number, messageId: number, url: string) => {
      if (!isOwnWebApp(url, window.location)) return openLink(url);
      try {
        const { launchUrl } = await api.webAppLaunch(bot, telegramId, { messageId, url });
        setWebApp({ bot, launchUrl });
      } catch (error) {
        dispatch({ type: "notice", key: chatKey(bot, telegramId), text: `Could not open the app: ${error}`, alert: false });
      }
    },
    [openLink],
  );

  /** Opens the bot from a link as this person and sends what Telegram sends for such a link. */
  const followLink = useCallback(
    async (link: BotLink, persona: Persona | null) => {
      setChooser(null);
      const person = persona ?? (await createPersona(link.bot === "client" ? "client" : "applicant"));
      if (!person) return;
      openPane(link.bot, person.telegramId);
      await send(link.bot, person.telegramId, { text: link.payload ? `/start ${link.payload}` : "/start" });
    },
    [createPersona, openPane, send],
  );

  const openIds = useMemo(() => new Set(panes.map((p) => p.telegramId)), [panes]);

  if (!state) {
    return <div class="loading">{loadError ?? "Loading…"}</div>;
  }

  return (
    <div class="layout">
      <div class="banner" data-testid="banner">
        <b>Sandbox — not for real customers.</b> Data lives in <span data-testid="data-dir">{state.dataDir}</span>
        <span class={`live ${live ? "on" : "off"}`} title={live ? "Live updates are on" : "Reconnecting to the sandbox…"}>
          {live ? "● live" : "○ reconnecting"}
        </span>
      </div>
      {loadError ? (
        <div class="error-line" onClick={() => setLoadError(null)}>
          {loadError}
        </div>
      ) : null}
      <div class="main">
        <Rail
          personas={state.personas}
          openIds={openIds}
          language={language}
          setLanguage={setLanguage}
          open={(persona) => openPane(persona.bot, persona.telegramId)}
          create={(role) =>
            void createPersona(role).then((persona) => persona && openPane(role === "client" ? "client" : "partner", persona.telegramId))
          }
        />
        <div class="panes" data-testid="panes">
          {panes.length === 0 ? <div class="no-panes">Pick someone on the left to chat as them — open several to watch both sides.</div> : null}
          {panes.map(({ bot, telegramId }) => {
            const key = chatKey(bot, telegramId);
            return (
              <Pane
                key={key}
                bot={bot}
                telegramId={telegramId}
                botInfo={state.bots[bot]}
                persona={state.personas.find((p) => p.telegramId === telegramId)}
                chat={chats.chats[key] ?? emptyChat}
                notices={chats.notices[key] ?? []}
                send={(body) => send(bot, telegramId, body)}
                openLink={openLink}
                openWebApp={(messageId, url) => void openWebApp(bot, telegramId, messageId, url)}
                hideKeyboard={(hidden) => dispatch({ type: "keyboard-hidden", key, hidden })}
                dismiss={(id) => dispatch({ type: "dismiss", key, id })}
                close={() => setPanes((current) => current.filter((p) => !(p.bot === bot && p.telegramId === telegramId)))}
              />
            );
          })}
        </div>
      </div>
      {webApp ? <WebAppOverlay title={state.bots[webApp.bot].firstName} launchUrl={webApp.launchUrl} close={() => setWebApp(null)} /> : null}
      {chooser ? (
        <LinkChooser link={chooser} state={state} choose={(persona) => void followLink(chooser, persona)} cancel={() => setChooser(null)} />
      ) : null}
    </div>
  );
}

/** "Open as…": the question the page asks where Telegram would simply open the bot as you. */
function LinkChooser({ link, state, choose, cancel }: { link: BotLink; state: SandboxState; choose: (persona: Persona | null) => void; cancel: () => void }) {
  const bot = state.bots[link.bot];
  const people = state.personas.filter((p) => p.bot === link.bot);
  return (
    <div class="modal-backdrop" onClick={cancel}>
      <div class="modal" data-testid="link-chooser" onClick={(event) => event.stopPropagation()}>
        <div class="modal-title">Open {bot.firstName}</div>
        <div class="modal-subtitle">
          @{bot.username}
          {link.payload ? ` · start=${link.payload}` : ""}
        </div>
        {link.bot !== "admin" ? (
          <button class="chooser-option new" data-testid="chooser-new" onClick={() => choose(null)}>
            + Open as a new {link.bot === "client" ? "client" : "person"}
          </button>
        ) : null}
        <div class="chooser-list">
          {people.map((persona) => (
            <button key={persona.telegramId} class="chooser-option" data-testid={`chooser-${persona.telegramId}`} onClick={() => choose(persona)}>
              <div class={`avatar small hue-${persona.telegramId % 7}`}>{persona.firstName.slice(0, 1)}</div>
              <span>
                as {personaName(persona, persona.telegramId)} <span class="muted">{persona.detail ?? persona.role}</span>
              </span>
            </button>
          ))}
        </div>
        <button class="chooser-cancel" onClick={cancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

/** A Mini App over the page, the size of a phone, as Telegram shows one; ✕ (or Escape) closes it. */
function WebAppOverlay({ title, launchUrl, close }: { title: string; launchUrl: string; close: () => void }) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => event.key === "Escape" && close();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [close]);
  return (
    <div class="modal-backdrop" onClick={close}>
      <div class="web-app" data-testid="web-app" onClick={(event) => event.stopPropagation()}>
        <div class="web-app-header">
          <button class="icon-button" title="Close" data-testid="web-app-close" onClick={close}>
            ✕
          </button>
          <span class="web-app-title">{title}</span>
        </div>
        <iframe class="web-app-frame" data-testid="web-app-frame" src={launchUrl} title={title} allow="clipboard-write" />
      </div>
    </div>
  );
}
