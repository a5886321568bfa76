import type { DbOrTx } from "../../db/client.js";
import { jobs } from "../../db/schema/index.js";

/**
 * Jobs the worker performs later. Kinds and payloads are listed here so producers and the worker agree.
 * Every `notify.*` job names the bot that sends it and the recipient; the text is rendered by the sender in the recipient's language.
 */
export type JobPayloads = {
  "notify.client": { clientId: number; message: string; params?: Record<string, string | number> };
  "notify.partner": { partnerId: number; message: string; params?: Record<string, string | number> };
  "notify.admins": { message: string; params?: Record<string, string | number> };
  "redemption.ask-client": { redemptionRequestId: number };
  /** What became of a redemption request, told only to the cashier who asked for it (naming the client and the request). */
  "redemption.tell-cashier": { redemptionRequestId: number; message: "redemption-confirmed" | "redemption-declined" | "redemption-expired" | "redemption-superseded"; params?: Record<string, string | number> };
  "nps.ask": { purchaseId: number };
  "nps.low-score": { ratingId: number };
  /** Recompute categories and RFM; `requestedBy` is set when an admin asked for it (they are told when done). */
  "analytics.recompute": { requestedBy?: number };
  "broadcast.run": { broadcastId: number };
  /** A promotion's card with its picture to one client, uploading the partner bot's photo to the client bot once. */
  "promotion.show": { promotionId: number; clientId: number };
  /** Yesterday's numbers to every partner's owner; `day` is the Moscow date of "today". */
  "digest.partners": { day: string };
  /** Yesterday's numbers of the whole network to the admins. */
  "digest.network": { day: string };
};
export type JobKind = keyof JobPayloads;

export async function enqueue<K extends JobKind>(
  tx: DbOrTx,
  kind: K,
  payload: JobPayloads[K],
  options: { runAt?: Date; dedupeKey?: string } = {},
): Promise<void> {
  await tx
    .insert(jobs)
    .values({ kind, payload, runAt: options.runAt ?? new Date(), dedupeKey: options.dedupeKey ?? null })
    .onConflictDoNothing({ target: jobs.dedupeKey });
}
