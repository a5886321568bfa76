/** The web chat's HTTP API shapes, as the sandbox contract describes them (the server in ../server.ts sends these). */

export type BotName = "client" | "partner" | "admin";
export type PersonaRole = "client" | "owner" | "cashier" | "admin" | "applicant";

export type Persona = {
  telegramId: number;
  firstName: string;
  lastName?: string;
  languageCode: "ru" | "en";
  role: PersonaRole;
  bot: BotName;
  phone?: string;
  detail?: string;
};

export type BotInfo = { username: string; firstName: string };
export type SandboxState = { bots: Record<BotName, BotInfo>; personas: Persona[] };

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
  date: number;
  edited: boolean;
  text?: string;
  caption?: string;
  entities?: MessageEntity[];
  html?: string;
  photoFileId?: string;
  documentName?: string;
  documentFileId?: string;
  contactPhone?: string;
  inlineKeyboard?: InlineButton[][];
};

export type ReplyKeyboardView = { rows: { text: string; requestContact?: boolean }[][]; oneTime: boolean; placeholder?: string };

export type BotCommand = { command: string; description: string };

export type ChatView = { messages: ChatMessageView[]; commands: BotCommand[]; replyKeyboard: ReplyKeyboardView | null };

export type SendBody = { text: string } | { contact: true } | { callbackData: string; messageId: number };

export type ChatEvent =
  | { type: "message"; bot: BotName; chatId: number; message: ChatMessageView }
  | { type: "deleted"; bot: BotName; chatId: number; messageId: number }
  | { type: "callback-answer"; bot: BotName; chatId: number; text?: string; showAlert?: boolean }
  | { type: "keyboard"; bot: BotName; chatId: number; replyKeyboard: ReplyKeyboardView | null };
