import type { BotName, ChatView, Persona, PersonaRole, SandboxState, SendBody, WebAppBody, WebAppLaunch } from "../protocol.js";

async function json<T>(response: Response): Promise<T> {
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}: ${await response.text()}`);
  return (await response.json()) as T;
}

export const api = {
  state: () => fetch("/api/state").then((r) => json<SandboxState>(r)),
  chat: (bot: BotName, telegramId: number) => fetch(`/api/chats/${bot}/${telegramId}`).then((r) => json<ChatView>(r)),
  send: (bot: BotName, telegramId: number, body: SendBody) =>
    fetch(`/api/chats/${bot}/${telegramId}/send`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }).then((r) => json<{ ok: true }>(r)),
  createPersona: (role: Extract<PersonaRole, "client" | "applicant">, languageCode: "ru" | "en") =>
    fetch("/api/personas", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ role, languageCode }),
    }).then((r) => json<Persona>(r)),
  webAppLaunch: (bot: BotName, telegramId: number, body: WebAppBody) =>
    fetch(`/api/chats/${bot}/${telegramId}/web-app`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }).then((r) => json<WebAppLaunch>(r)),
  fileUrl: (fileId: string) => `/api/files/${encodeURIComponent(fileId)}`,
};
