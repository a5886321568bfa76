import { GrammyError, type Api, type InputFile } from "grammy";
import type { InlineKeyboardMarkup } from "grammy/types";

/** Time for the sender: `now` in ms and a way to wait; tests give a virtual clock, production the real one. */
export type Timer = { now(): number; sleep(ms: number): Promise<void> };
export const realTimer: Timer = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

export type SendLimits = {
  /** Messages per second for the whole bot (Telegram allows about 30; we keep a margin). */
  perSecond: number;
  /** Minimum spacing between two messages to one chat, in ms (Telegram: about one per second). */
  perChatIntervalMs: number;
};
export const defaultSendLimits: SendLimits = { perSecond: 25, perChatIntervalMs: 1_000 };

export type OutgoingMessage = { chatId: number; text: string; photo?: string | InputFile; keyboard?: InlineKeyboardMarkup };
/** `photoFileId`: this bot's id of the photo sent, to reuse instead of uploading again. */
export type SendOutcome = { ok: true; messageId: number; photoFileId?: string } | { ok: false; unreachable: true };

/**
 * One bot's outgoing messages, paced for Telegram: evenly spaced to stay under `perSecond`, never two to one chat
 * closer than `perChatIntervalMs`, and a 429 `retry_after` stops every send of this bot until it has passed (then
 * the message is sent again). A 403 (the user blocked the bot) is an outcome, not an error. Anything else throws.
 * Calls may be concurrent; they are released one at a time in order.
 */
export class PacedSender {
  private nextSlot = 0;
  private pausedUntil = 0;
  private readonly lastToChat = new Map<number, number>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly api: Api,
    private readonly limits: SendLimits = defaultSendLimits,
    private readonly timer: Timer = realTimer,
  ) {}

  /**
   * `beforeRequest` runs right before each request that would deliver the message (after the pacing wait, and again
   * before a retry after a 429): the last moment to hold it back. If it throws, nothing is sent and `send` rejects with it.
   */
  send(message: OutgoingMessage, beforeRequest?: () => void): Promise<SendOutcome> {
    const turn = this.queue.then(() => this.sendInTurn(message, beforeRequest));
    // The next caller waits for this one's slot, not for its failure.
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  private async sendInTurn(message: OutgoingMessage, beforeRequest: (() => void) | undefined): Promise<SendOutcome> {
    for (;;) {
      const now = this.timer.now();
      const chatReady = (this.lastToChat.get(message.chatId) ?? -Infinity) + this.limits.perChatIntervalMs;
      const at = Math.max(now, this.nextSlot, this.pausedUntil, chatReady);
      if (at > now) await this.timer.sleep(at - now);
      beforeRequest?.();
      this.nextSlot = this.timer.now() + 1_000 / this.limits.perSecond;
      try {
        const options = message.keyboard ? { reply_markup: message.keyboard } : {};
        const sent = message.photo
          ? await this.api.sendPhoto(message.chatId, message.photo, { caption: message.text, ...options })
          : await this.api.sendMessage(message.chatId, message.text, options);
        this.markSent(message.chatId);
        const photoFileId = "photo" in sent && sent.photo ? sent.photo[sent.photo.length - 1]?.file_id : undefined;
        return { ok: true, messageId: sent.message_id, ...(photoFileId ? { photoFileId } : {}) };
      } catch (err) {
        if (err instanceof GrammyError && err.error_code === 429) {
          const retryAfterMs = (err.parameters.retry_after ?? 1) * 1_000;
          this.pausedUntil = Math.max(this.pausedUntil, this.timer.now() + retryAfterMs);
          continue;
        }
        this.markSent(message.chatId);
        if (err instanceof GrammyError && err.error_code === 403) return { ok: false, unreachable: true };
        throw err;
      }
    }
  }

  /**
   * The next message to this chat waits from when this one was answered, not from when it left: Telegram measures
   * arrivals, and a request slowed on the way would otherwise land closer than the interval to the next one.
   */
  private markSent(chatId: number) {
    const now = this.timer.now();
    this.lastToChat.set(chatId, now);
    if (this.lastToChat.size > 50_000) this.forgetOldChats(now);
  }

  /** Per-chat spacing only matters for the last second; keep the map small on long broadcasts. */
  private forgetOldChats(now: number) {
    for (const [chat, at] of this.lastToChat) if (now - at > this.limits.perChatIntervalMs) this.lastToChat.delete(chat);
  }
}
