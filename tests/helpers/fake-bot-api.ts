/**
 * The tests' fake Telegram is the sandbox's local Bot API (sandbox/telegram/bot-api.ts): one implementation, so what the
 * tests check about Telegram's behaviour is what the sandbox gives a person playing with the bots.
 */
export * from "../../sandbox/telegram/bot-api.js";
