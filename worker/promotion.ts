import { and, eq } from "drizzle-orm";
import { clients, partners, promotions } from "../db/schema/index.js";
import type { JobPayloads } from "../core/jobs/outbox.js";
import { chosenLanguage } from "../core/users/service.js";
import { promotionCard, promotionPhotoKey } from "../telegram/promotion-card.js";
import type { Translate } from "../telegram/i18n.js";
import { downloadPhoto } from "./broadcast.js";
import type { OutboxDeps } from "./outbox.js";
import { beforeSend, stopIfStopping } from "./lease.js";

/**
 * A promotion's card with its picture, to a client who asked for the promotions while the client bot had no copy
 * of the picture yet. The partner bot's photo is uploaded to the client bot (as broadcasts do) and the client bot's
 * file id kept in Redis (`promotionPhotoKey`) until the promotion is over, so later cards are sent by that id.
 * Nothing is sent for a promotion deleted or over since, or to a client who left. A retried job does not send twice.
 */
export async function showPromotion(deps: OutboxDeps, jobId: number, p: JobPayloads["promotion.show"]): Promise<void> {
  const sentKey = `job-sent:${jobId}`;
  if (await deps.redis.exists(sentKey)) return;
  const [row] = await deps.db
    .select({ promotion: promotions, partnerName: partners.name })
    .from(promotions)
    .innerJoin(partners, and(eq(partners.id, promotions.partnerId), eq(partners.status, "approved")))
    .where(eq(promotions.id, p.promotionId));
  const [client] = await deps.db.select().from(clients).where(eq(clients.id, p.clientId));
  const now = deps.clock.now();
  if (!row?.promotion.imageFileId || row.promotion.endsAt < now || !client?.telegramId || client.status !== "active" || client.unreachableSince) return;
  const promotion = row.promotion;

  const language = (await chosenLanguage(deps.db, client.telegramId)) ?? client.language;
  const t = ((key: string, vars?: Record<string, string | number>) => deps.i18n.client.t(language, key, vars)) as Translate;
  const caption = promotionCard(t, { ...promotion, partnerName: row.partnerName }, 1_024);
  const photoKey = promotionPhotoKey(promotion.id);
  const clientCopy = await deps.redis.get(photoKey);
  const photo = clientCopy ?? (await downloadPhoto(deps.apis.partner, promotion.imageFileId!, "promotion.jpg"));
  stopIfStopping(deps);
  // Like every send: not if this worker's claim on the job may have lapsed, nor once it is stopping.
  const outcome = await deps.senders.client.send({ chatId: client.telegramId, text: caption, photo }, beforeSend(deps));
  await deps.redis.multi().set(sentKey, "1", "EX", 7 * 24 * 3600).exec();
  if (!outcome.ok) {
    await deps.db.update(clients).set({ unreachableSince: now }).where(eq(clients.id, client.id));
    return;
  }
  if (!clientCopy && outcome.photoFileId) {
    const keepMs = Math.max(60_000, promotion.endsAt.getTime() - now.getTime() + 24 * 3_600_000);
    await deps.redis.set(photoKey, outcome.photoFileId, "PX", keepMs);
  }
}
