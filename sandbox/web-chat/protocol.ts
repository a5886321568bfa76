/**
 * The web chat's HTTP API: what the server (server.ts) answers and the page (ui/) reads. One definition for both;
 * no imports, so the page's browser build and the server's Node build can both use it.
 */

export type BotName = "client" | "partner" | "admin";
export type PersonaRole = "client" | "owner" | "cashier" | "admin" | "applicant";

/** Someone the web chat lets you play. */
export type Persona = {
  telegramId: number;
  firstName: string;
  lastName?: string;
  languageCode: "ru" | "en";
  role: PersonaRole;
  /** The bot this person uses. */
  bot: BotName;
  /** E.164, what "share my phone" sends. */
  phone?: string;
  /** E.g. "Gold · 2 340 pts" for a client, "Coffee Point · cashier" for staff. */
  detail?: string;
};

export type BotInfo = { username: string; firstName: string };
/** `dataDir`: the folder the sandbox keeps everything in (SANDBOX_DATA_DIR, absolute), shown on the page. */
export type SandboxState = { bots: Record<BotName, BotInfo>; personas: Persona[]; dataDir: string };

/** Telegram's MessageEntity, the fields the page renders. */
export type MessageEntity = {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
};

export type InlineButton = { text: string; callbackData?: string; url?: string; webAppUrl?: string };

export type ChatMessageView = {
  messageId: number;
  from: "bot" | "user";
  /** Unix seconds. */
  date: number;
  edited: boolean;
  text?: string;
  caption?: string;
  /** Telegram's, for the text or the caption. */
  entities?: MessageEntity[];
  /** The raw HTML when the bot used parse_mode HTML (the page sanitises it to Telegram's tag subset). */
  html?: string;
  photoFileId?: string;
  documentName?: string;
  documentFileId?: string;
  /** A contact the user shared. */
  contactPhone?: string;
  inlineKeyboard?: InlineButton[][];
};

export type ReplyKeyboardView = { rows: { text: string; requestContact?: boolean }[][]; oneTime: boolean; placeholder?: string };

export type BotCommand = { command: string; description: string };

export type ChatView = { messages: ChatMessageView[]; commands: BotCommand[]; replyKeyboard: ReplyKeyboardView | null };

export type SendBody = { text: string } | { contact: true } | { callbackData: string; messageId: number };

/** POST /api/chats/:bot/:telegramId/web-app: a web_app button pressed; the answer is the URL to open it at. */
export type WebAppBody = { messageId: number; url: string };
/** The button's URL with Telegram's launch parameters (initData signed for this person) in the fragment. */
export type WebAppLaunch = { launchUrl: string };

export type ChatEvent =
  | { type: "message"; bot: BotName; chatId: number; message: ChatMessageView }
  | { type: "deleted"; bot: BotName; chatId: number; messageId: number }
  | { type: "callback-answer"; bot: BotName; chatId: number; text?: string; showAlert?: boolean }
  | { type: "keyboard"; bot: BotName; chatId: number; replyKeyboard: ReplyKeyboardView | null };
