import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "./api.js";
import { renderEntities, renderHtml, type TextHandlers } from "./format.js";
import type { ChatState, Notice } from "./store.js";
import type { BotInfo, BotName, ChatMessageView, InlineButton, Persona, SendBody } from "../protocol.js";

export type PaneProps = {
  bot: BotName;
  telegramId: number;
  botInfo: BotInfo;
  persona: Persona | undefined;
  chat: ChatState;
  notices: Notice[];
  send: (body: SendBody) => Promise<void>;
  openLink: (url: string) => void;
  /** A web_app button pressed on this message: opens the Mini App (or the URL as a link, if it is not the sandbox's). */
  openWebApp: (messageId: number, url: string) => void;
  hideKeyboard: (hidden: boolean) => void;
  dismiss: (id: number) => void;
  close: () => void;
};

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hour12: false });

export function personaName(persona: Persona | undefined, telegramId: number): string {
  if (!persona) return `#${telegramId}`;
  return [persona.firstName, persona.lastName].filter(Boolean).join(" ");
}

/** One phone-sized chat between a person and a bot. */
export function Pane(props: PaneProps) {
  const { bot, telegramId, botInfo, persona, chat } = props;
  const [draft, setDraft] = useState("");
  const [menuOpen, setMenuOpen] = useState(false);
  const listRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  const handlers: TextHandlers = {
    openLink: props.openLink,
    sendCommand: (command) => void props.send({ text: command }),
  };

  // Keep the newest message in view, as a chat app does.
  const lastMessage = chat.messages[chat.messages.length - 1];
  useEffect(() => {
    const list = listRef.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [chat.messages.length, lastMessage?.messageId, lastMessage?.edited, chat.replyKeyboard]);

  const submit = () => {
    const text = draft.trim();
    if (!text) return;
    setDraft("");
    void props.send({ text });
    inputRef.current?.focus();
  };

  const keyboard = chat.replyKeyboard && !chat.keyboardHidden ? chat.replyKeyboard : null;
  const alert = props.notices.find((n) => n.alert);
  const toasts = props.notices.filter((n) => !n.alert);

  return (
    <section class="pane" data-testid={`pane-${bot}-${telegramId}`} data-bot={bot} data-telegram-id={telegramId}>
      <header class="pane-header">
        <div class={`avatar bot-${bot}`}>{botInfo.firstName.slice(0, 1)}</div>
        <div class="pane-title">
          <div class="pane-bot-name">{botInfo.firstName}</div>
          <div class="pane-you">
            you: <b>{personaName(persona, telegramId)}</b>
            {persona ? ` · ${persona.role}` : ""}
          </div>
        </div>
        <button class="icon-button" title="Close this chat" data-testid="close-pane" onClick={props.close}>
          ✕
        </button>
      </header>

      <div class="messages" ref={listRef} data-testid="messages">
        {chat.loaded && chat.messages.length === 0 ? (
          <div class="empty-chat">
            <div class="empty-title">{botInfo.firstName}</div>
            <div class="empty-username">@{botInfo.username}</div>
          </div>
        ) : null}
        {chat.messages.map((message) => (
          <Message key={message.messageId} message={message} handlers={handlers} press={(button) => pressInline(props, message, button)} />
        ))}
      </div>

      {toasts.length > 0 ? (
        <div class="toasts">
          {toasts.map((notice) => (
            <Toast key={notice.id} notice={notice} dismiss={() => props.dismiss(notice.id)} />
          ))}
        </div>
      ) : null}

      {alert ? (
        <div class="alert-backdrop">
          <div class="alert" role="alertdialog" data-testid="alert">
            <div class="alert-text">{alert.text}</div>
            <button class="alert-ok" onClick={() => props.dismiss(alert.id)}>
              OK
            </button>
          </div>
        </div>
      ) : null}

      {chat.loaded && chat.messages.length === 0 ? (
        <div class="start-bar">
          <button class="start-button" data-testid="start" onClick={() => void props.send({ text: "/start" })}>
            START
          </button>
        </div>
      ) : (
        <>
          {menuOpen && chat.commands.length > 0 ? (
            <div class="commands-menu" data-testid="commands-menu">
              {chat.commands.map((c) => (
                <button
                  key={c.command}
                  class="command-item"
                  onClick={() => {
                    setMenuOpen(false);
                    void props.send({ text: `/${c.command}` });
                  }}
                >
                  <span class="command-name">/{c.command}</span>
                  <span class="command-description">{c.description}</span>
                </button>
              ))}
            </div>
          ) : null}
          <div class="composer">
            {chat.commands.length > 0 ? (
              <button
                class={`menu-button ${menuOpen ? "open" : ""}`}
                title="Commands"
                data-testid="commands-button"
                onClick={() => setMenuOpen(!menuOpen)}
              >
                {menuOpen ? "✕" : "/"}
              </button>
            ) : null}
            <input
              ref={inputRef}
              class="input"
              data-testid="input"
              placeholder={keyboard?.placeholder ?? "Message"}
              value={draft}
              onInput={(event) => setDraft((event.target as HTMLInputElement).value)}
              onKeyDown={(event) => {
                if (event.key === "Enter" && !event.isComposing) {
                  event.preventDefault();
                  submit();
                }
              }}
            />
            {chat.replyKeyboard ? (
              <button
                class="icon-button"
                title={chat.keyboardHidden ? "Show the keyboard" : "Hide the keyboard"}
                data-testid="keyboard-toggle"
                onClick={() => props.hideKeyboard(!chat.keyboardHidden)}
              >
                ⌨
              </button>
            ) : null}
            <button class="send-button" data-testid="send" title="Send" disabled={!draft.trim()} onClick={submit}>
              ➤
            </button>
          </div>
          {keyboard ? (
            <div class="reply-keyboard" data-testid="reply-keyboard">
              {keyboard.rows.map((row, r) => (
                <div class="keyboard-row" key={r}>
                  {row.map((button) => (
                    <button
                      key={button.text}
                      class={`reply-button ${button.requestContact ? "contact" : ""}`}
                      data-testid={button.requestContact ? "share-phone" : "reply-button"}
                      onClick={() => {
                        if (keyboard.oneTime) props.hideKeyboard(true);
                        void props.send(button.requestContact ? { contact: true } : { text: button.text });
                      }}
                    >
                      {button.text}
                    </button>
                  ))}
                </div>
              ))}
            </div>
          ) : null}
        </>
      )}
    </section>
  );
}

function pressInline(props: PaneProps, message: ChatMessageView, button: InlineButton) {
  if (button.callbackData !== undefined) void props.send({ callbackData: button.callbackData, messageId: message.messageId });
  else if (button.url) props.openLink(button.url);
  else if (button.webAppUrl) props.openWebApp(message.messageId, button.webAppUrl);
}

function Message({ message, handlers, press }: { message: ChatMessageView; handlers: TextHandlers; press: (button: InlineButton) => void }) {
  const body = message.text ?? message.caption;
  return (
    <div class={`message-row from-${message.from}`} data-testid="message" data-from={message.from} data-message-id={message.messageId}>
      <div class="message-column">
        <div class={`bubble from-${message.from} ${message.photoFileId ? "with-photo" : ""}`} data-testid={`message-${message.from}`} data-message-id={message.messageId}>
          {message.photoFileId ? <img class="photo" src={api.fileUrl(message.photoFileId)} alt="" loading="lazy" /> : null}
          {message.documentFileId ? (
            <a class="document" href={api.fileUrl(message.documentFileId)} download={message.documentName ?? true}>
              <span class="document-icon">📄</span>
              {message.documentName ?? "document"}
            </a>
          ) : null}
          {message.contactPhone ? (
            <div class="contact">
              <span class="contact-icon">📞</span>
              {message.contactPhone}
            </div>
          ) : null}
          {body !== undefined ? (
            <div class="text">{message.html !== undefined ? renderHtml(message.html, handlers) : renderEntities(body, message.entities, handlers)}</div>
          ) : null}
          <span class="meta">
            {message.edited ? <span class="edited">edited </span> : null}
            {timeFormat.format(new Date(message.date * 1000))}
          </span>
        </div>
        {message.inlineKeyboard?.length ? (
          <div class="inline-keyboard">
            {message.inlineKeyboard.map((row, r) => (
              <div class="keyboard-row" key={r}>
                {row.map((button, b) => (
                  <button key={b} class="inline-button" data-testid="inline-button" data-web-app={button.webAppUrl ? "true" : undefined} onClick={() => press(button)}>
                    {button.text}
                    {button.url ? <span class="link-mark">↗</span> : button.webAppUrl ? <span class="link-mark">▣</span> : null}
                  </button>
                ))}
              </div>
            ))}
          </div>
        ) : null}
      </div>
    </div>
  );
}

function Toast({ notice, dismiss }: { notice: Notice; dismiss: () => void }) {
  useEffect(() => {
    const timer = setTimeout(dismiss, 3500);
    return () => clearTimeout(timer);
  }, [notice.id]);
  return (
    <div class="toast" data-testid="toast" onClick={dismiss}>
      {notice.text}
    </div>
  );
}
