/** The settings only production has. When none of them is set, `npm start` starts the sandbox instead. */
export const productionOnlyKeys = ["DATABASE_URL", "REDIS_URL", "CLIENT_BOT_TOKEN", "PARTNER_BOT_TOKEN", "ADMIN_BOT_TOKEN", "ADMIN_IDS", "APP_SECRET"] as const;

/**
 * True with no configuration at all. Any one of them set means the user meant production: a missing other one is then
 * reported as in production (`config: REDIS_URL is missing`), never silently replaced by the sandbox.
 */
export const isSandboxRequested = (env: NodeJS.ProcessEnv) => productionOnlyKeys.every((key) => (env[key] ?? "") === "");
