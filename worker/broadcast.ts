import { and, eq, sql } from "drizzle-orm";
import { GrammyError, InputFile, type Api } from "grammy";
import { broadcastDeliveries, broadcasts, clients } from "../db/schema/index.js";
import { broadcastProgress, type BroadcastProgress } from "../core/broadcasts/service.js";
import { safeErrorText } from "../core/logger.js";
import type { OutboxDeps } from "./outbox.js";
import { chosenLanguage } from "../core/users/service.js";
import { isNetworkError } from "./telegram-link.js";
import { beforeSend, Interrupted, LeaseLost, requestTimeoutSeconds, stopIfStopping } from "./lease.js";

/** How long one run of a broadcast job sends before giving the other jobs their turn. */
const sliceMs = 5_000;
/** How often the sender's progress message is edited. */
const progressEveryMs = 2_000;

/**
 * Sends the next slice of a broadcast. Each delivery is marked `sending` just before its message goes out and
 * `sent` (or `unreachable`) right after, so a resumed broadcast never repeats one. A row still `sending` when a
 * slice starts was in flight when a worker died: Telegram cannot tell whether it arrived, so it is recorded as
 * `uncertain` and not sent again (no duplicates; the final report counts them).
 * Returns "more" while recipients are left.
 */
export async function runBroadcastSlice(deps: OutboxDeps, broadcastId: number): Promise<"more" | "done"> {
  const [b] = await deps.db.select().from(broadcasts).where(eq(broadcasts.id, broadcastId));
  if (!b || b.status !== "sending") return "done";
  await deps.db
    .update(broadcastDeliveries)
    .set({ status: "uncertain" })
    .where(and(eq(broadcastDeliveries.broadcastId, b.id), eq(broadcastDeliveries.status, "sending")));

  // File ids belong to one bot: the sender's photo is uploaded to the client bot once, then reused by id.
  let photo: string | InputFile | undefined =
    b.clientPhotoFileId ?? (b.photoFileId ? await downloadPhoto(deps.apis[b.senderKind === "admin" ? "admin" : "partner"], b.photoFileId, "broadcast.jpg") : undefined);

  const until = Date.now() + sliceMs;
  let lastProgress = 0;
  for (;;) {
    // Between two messages: where a stopping worker leaves it (what was sent is in the delivery rows).
    stopIfStopping(deps);
    if (Date.now() > until) {
      await showProgress(deps, b, await broadcastProgress(deps.db, b.id), false);
      return "more";
    }
    const [next] = await deps.db.execute<{ client_id: string; chat_id: string }>(sql`
      UPDATE broadcast_deliveries SET status = 'sending'
      WHERE broadcast_id = ${b.id} AND client_id = (
        SELECT client_id FROM broadcast_deliveries WHERE broadcast_id = ${b.id} AND status = 'pending'
        ORDER BY client_id LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING client_id, chat_id`);
    if (!next) break;
    const clientId = Number(next.client_id);
    let status: "sent" | "unreachable" | "failed";
    let error: string | null = null;
    try {
      const outcome = await deps.senders.client.send({ chatId: Number(next.chat_id), text: b.text, ...(photo ? { photo } : {}) }, beforeSend(deps));
      status = outcome.ok ? "sent" : "unreachable";
      if (outcome.ok && outcome.photoFileId && typeof photo !== "string") {
        photo = outcome.photoFileId;
        await deps.db.update(broadcasts).set({ clientPhotoFileId: photo }).where(eq(broadcasts.id, b.id));
      }
    } catch (err) {
      if (err instanceof Interrupted || err instanceof LeaseLost) {
        // Held back before its request: certainly not sent, so it stays to be sent (unless a slice elsewhere has
        // meanwhile counted it uncertain).
        await deps.db
          .update(broadcastDeliveries)
          .set({ status: "pending" })
          .where(and(eq(broadcastDeliveries.broadcastId, b.id), eq(broadcastDeliveries.clientId, clientId), eq(broadcastDeliveries.status, "sending")));
        throw err;
      }
      // Telegram unreachable: stop the slice (the job waits for it to return). The delivery stays `sending`: it
      // cannot be known whether it arrived, so the next slice counts it as uncertain rather than risk a duplicate.
      if (isNetworkError(err)) throw err;
      status = "failed";
      error = safeErrorText(err, 500);
      deps.logger.warn({ err, broadcastId: b.id, clientId }, "broadcast message failed");
    }
    await deps.db
      .update(broadcastDeliveries)
      .set({ status, sentAt: deps.clock.now(), error })
      .where(and(eq(broadcastDeliveries.broadcastId, b.id), eq(broadcastDeliveries.clientId, clientId)));
    if (status === "unreachable") await deps.db.update(clients).set({ unreachableSince: deps.clock.now() }).where(eq(clients.id, clientId));
    if (Date.now() - lastProgress > progressEveryMs) {
      lastProgress = Date.now();
      await showProgress(deps, b, await broadcastProgress(deps.db, b.id), false);
    }
  }
  await deps.db.update(broadcasts).set({ status: "done", finishedAt: deps.clock.now() }).where(eq(broadcasts.id, b.id));
  await showProgress(deps, b, await broadcastProgress(deps.db, b.id), true);
  return "done";
}

/**
 * A photo's bytes, fetched through the bot it was sent to (getFile, then the file URL), to upload to another bot:
 * file ids belong to one bot. Used for broadcasts and promotions' pictures.
 */
export async function downloadPhoto(api: Api, fileId: string, name: string): Promise<InputFile> {
  const file = await api.getFile(fileId);
  const root = api.options?.apiRoot ?? "https://api.telegram.org";
  // No longer than a Bot API request may take (the job's lease is sized for that).
  const response = await fetch(`${root}/file/bot${api.token}/${file.file_path}`, { signal: AbortSignal.timeout(requestTimeoutSeconds * 1_000) });
  if (!response.ok) throw new Error(`could not download a photo to re-upload: HTTP ${response.status}`);
  return new InputFile(new Uint8Array(await response.arrayBuffer()), name);
}

/** Edits the sender's progress message in place; at the end, also sends the report as a new message. */
async function showProgress(deps: OutboxDeps, b: typeof broadcasts.$inferSelect, p: BroadcastProgress, final: boolean) {
  const bot = b.senderKind === "admin" ? "admin" : "partner";
  const language = (await chosenLanguage(deps.db, b.progressChatId)) ?? "ru";
  const text = deps.i18n[bot].t(language, final ? "broadcast-report" : "broadcast-progress", { ...p, done: p.sent + p.unreachable + p.uncertain + p.failed });
  try {
    if (b.progressMessageId) await deps.apis[bot].editMessageText(b.progressChatId, b.progressMessageId, text);
    if (final) await deps.senders[bot].send({ chatId: b.progressChatId, text });
  } catch (err) {
    // "message is not modified" when nothing changed since the last edit; anything else is only logged.
    if (!(err instanceof GrammyError && err.error_code === 400)) deps.logger.warn({ err, broadcastId: b.id }, "could not show broadcast progress");
  }
}
