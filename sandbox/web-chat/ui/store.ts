import type { BotCommand, BotName, ChatEvent, ChatMessageView, ChatView, ReplyKeyboardView } from "../protocol.js";

/** One chat between a person and a bot, as the page knows it. Private chats: the chat id is the person's Telegram id. */
export type ChatState = {
  loaded: boolean;
  messages: ChatMessageView[];
  commands: BotCommand[];
  replyKeyboard: ReplyKeyboardView | null;
  /** The person hid the reply keyboard (or pressed a one-time one); a new keyboard shows again. */
  keyboardHidden: boolean;
};

export type Notice = { id: number; text: string; alert: boolean };

export type ChatsState = { chats: Record<string, ChatState>; notices: Record<string, Notice[]> };

export type ChatsAction =
  | { type: "loaded"; key: string; view: ChatView }
  | { type: "event"; event: ChatEvent }
  | { type: "keyboard-hidden"; key: string; hidden: boolean }
  | { type: "notice"; key: string; text: string; alert: boolean }
  | { type: "dismiss"; key: string; id: number };

export const chatKey = (bot: BotName, chatId: number) => `${bot}:${chatId}`;

const emptyChat: ChatState = { loaded: false, messages: [], commands: [], replyKeyboard: null, keyboardHidden: false };

let noticeSeq = 0;

/** Adds or replaces (same messageId: an edit) one message, keeping the list in message order. */
function upsert(messages: ChatMessageView[], message: ChatMessageView): ChatMessageView[] {
  const index = messages.findIndex((m) => m.messageId === message.messageId);
  if (index >= 0) return messages.map((m, i) => (i === index ? message : m));
  return [...messages, message].sort((a, b) => a.messageId - b.messageId);
}

export function chatsReducer(state: ChatsState, action: ChatsAction): ChatsState {
  const update = (key: string, change: (chat: ChatState) => ChatState): ChatsState => ({
    ...state,
    chats: { ...state.chats, [key]: change(state.chats[key] ?? emptyChat) },
  });
  switch (action.type) {
    case "loaded":
      return update(action.key, (chat) => {
        // The server's history is the truth (it also drops what was deleted while the page was disconnected), but
        // what arrived by events while it was on its way is newer: new messages and edits the history missed are kept.
        const view = action.view.messages;
        const newest = Math.max(0, ...view.map((m) => m.messageId));
        let messages = view;
        for (const message of chat.messages) {
          const known = view.find((m) => m.messageId === message.messageId);
          if (message.messageId > newest || (known && message.edited && !known.edited)) messages = upsert(messages, message);
        }
        return { ...chat, loaded: true, messages, commands: action.view.commands, replyKeyboard: action.view.replyKeyboard };
      });
    case "event": {
      const event = action.event;
      const key = chatKey(event.bot, event.chatId);
      switch (event.type) {
        case "message":
          return update(key, (chat) => ({ ...chat, messages: upsert(chat.messages, event.message) }));
        case "deleted":
          return update(key, (chat) => ({ ...chat, messages: chat.messages.filter((m) => m.messageId !== event.messageId) }));
        case "keyboard":
          return update(key, (chat) => ({ ...chat, replyKeyboard: event.replyKeyboard, keyboardHidden: false }));
        case "callback-answer":
          if (!event.text) return state;
          return chatsReducer(state, { type: "notice", key, text: event.text, alert: event.showAlert ?? false });
      }
      return state;
    }
    case "keyboard-hidden":
      return update(action.key, (chat) => ({ ...chat, keyboardHidden: action.hidden }));
    case "notice":
      return {
        ...state,
        notices: { ...state.notices, [action.key]: [...(state.notices[action.key] ?? []), { id: ++noticeSeq, text: action.text, alert: action.alert }] },
      };
    case "dismiss":
      return { ...state, notices: { ...state.notices, [action.key]: (state.notices[action.key] ?? []).filter((n) => n.id !== action.id) } };
  }
}

export const initialChats: ChatsState = { chats: {}, notices: {} };
export { emptyChat };
