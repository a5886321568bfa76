/** The network's three bots: each has its own token, username and locale folder (`bots/<name>/locales`). */
export type BotName = "client" | "partner" | "admin";
