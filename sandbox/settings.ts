import type { BotName } from "../telegram/bot-name.js";

/**
 * The sandbox's fixed identities: the three bots' tokens and usernames on the local Bot API, and the demo admin.
 * They are not secrets (the local Bot API accepts nothing else and listens on 127.0.0.1 only).
 */
export const sandboxBots: Record<BotName, { token: string; id: number; username: string; firstName: string }> = {
  client: { id: 7_000_000_001, token: "7000000001:sandbox-client-bot-token-not-a-secret", username: "sandbox_cashback_bot", firstName: "Cashback" },
  partner: { id: 7_000_000_002, token: "7000000002:sandbox-partner-bot-token-not-a-secret", username: "sandbox_cashback_partner_bot", firstName: "Cashback Partner" },
  admin: { id: 7_000_000_003, token: "7000000003:sandbox-admin-bot-token-not-a-secret", username: "sandbox_cashback_admin_bot", firstName: "Cashback Admin" },
};

/** The demo admin's Telegram id (the sandbox's ADMIN_IDS). */
export const sandboxAdmin = { id: 100_000_001, firstName: "Anna", lastName: "Admin", languageCode: "ru" } as const;

/** Telegram ids given to people created in the web chat ("a new client", "an applicant") start here. */
export const newPersonaIdBase = 900_000_000;

/** Where the web chat listens unless SANDBOX_PORT says otherwise (0: any free port). Never anything but 127.0.0.1. */
export const sandboxHost = "127.0.0.1";
export const defaultSandboxPort = 8080;
/** Where the sandbox keeps its data unless SANDBOX_DATA_DIR says otherwise. */
export const defaultSandboxDataDir = ".data";
