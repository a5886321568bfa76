import { and, desc, eq, exists, inArray, isNotNull, isNull, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx, Tx } from "../../db/client.js";
import { broadcastDeliveries, broadcasts, clients, partners, purchases, type Audience } from "../../db/schema/index.js";
import { segmentMembers } from "../analytics/nightly.js";
import { customerCategories, rfmSegments, type CustomerCategory, type RfmSegment } from "../analytics/segments.js";
import { audit } from "../audit/service.js";
import { systemClock, type Clock } from "../clock.js";
import { DomainError } from "../errors.js";
import { enqueue } from "../jobs/outbox.js";
import { assertPending, checkVerdict, type Verdict } from "../moderation.js";
import { runIdempotent } from "../ledger/post.js";
import { requireActiveStaffRole } from "../partners/access.js";
import { getNetworkSettings } from "../settings/service.js";
import { multiline, parseInput, textField } from "../validation.js";

export type Broadcast = typeof broadcasts.$inferSelect;
export type BroadcastSender = { kind: "admin"; telegramId: number } | { kind: "partner"; partnerId: number; staffTelegramId: number };

const audienceInput = z
  .object({ segment: z.enum(rfmSegments).optional(), category: z.enum(customerCategories).optional() })
  .strict()
  .refine((a) => !(a.segment && a.category), "choose a segment or a category, not both");

/** Who would get it now: reachable, active clients with a Telegram account in the sender's scope. */
export async function broadcastRecipients(db: DbOrTx, sender: BroadcastSender, audience: Audience): Promise<{ clientId: number; chatId: number }[]> {
  const a = parseInput(audienceInput, audience);
  const partnerId = sender.kind === "partner" ? sender.partnerId : null;
  const reachable = and(eq(clients.status, "active"), isNotNull(clients.telegramId), isNull(clients.unreachableSince));
  let ids: number[] | null = null;
  if (a.segment || a.category) {
    ids = await segmentMembers(db, { partnerId, ...(a.segment ? { segment: a.segment as RfmSegment } : {}), ...(a.category ? { category: a.category as CustomerCategory } : {}) });
    if (ids.length === 0) return [];
  }
  // A partner's clients: those who bought there or joined through its link.
  const ofPartner =
    partnerId === null
      ? undefined
      : or(eq(clients.sourcePartnerId, partnerId), exists(db.select({ one: sql`1` }).from(purchases).where(and(eq(purchases.clientId, clients.id), eq(purchases.partnerId, partnerId)))));
  const rows = await db
    .select({ clientId: clients.id, chatId: clients.telegramId })
    .from(clients)
    .where(and(reachable, ofPartner, ids ? sql`${clients.id} = ANY(${sql.raw(`ARRAY[${ids.join(",")}]::bigint[]`)})` : undefined))
    .orderBy(clients.id);
  return rows.map((r) => ({ clientId: r.clientId, chatId: r.chatId! }));
}

/**
 * Who may send a partner's broadcast: its owner, or a cashier when the owner allowed it (the partner setting
 * `cashiersMayBroadcast`); always a current staff member of an approved partner. Admin senders are the admin bot's
 * to check.
 */
export async function requireBroadcastSender(db: DbOrTx, sender: BroadcastSender): Promise<void> {
  if (sender.kind !== "partner") return;
  const { partner, role } = await requireActiveStaffRole(db, sender.partnerId, sender.staffTelegramId);
  if (role !== "owner" && partner.settings.cashiersMayBroadcast !== true) throw new DomainError("BROADCAST_OWNER_ONLY", "only the owner sends this partner's broadcasts");
}

/** The preview's number: how many clients the broadcast would reach now, for a sender who may send it. */
export async function broadcastAudienceSize(db: DbOrTx, sender: BroadcastSender, audience: Audience): Promise<number> {
  await requireBroadcastSender(db, sender);
  return (await broadcastRecipients(db, sender, audience)).length;
}

const createInput = z.object({
  /** The sender's confirmation (e.g. the conversation it was confirmed in): a replay returns the first broadcast. */
  idempotencyKey: z.string().min(1).max(200),
  text: textField(multiline(1, 1_024)),
  photoFileId: z.string().max(200).optional().nullable(),
  progressChatId: z.number().int(),
  progressMessageId: z.number().int().optional().nullable(),
});

/**
 * A confirmed broadcast. It starts at once (recipients fixed now, one delivery row each, and the worker's job queued
 * in the same transaction), unless partner broadcasts need an admin's approval: then admins are asked first.
 * Idempotent on `idempotencyKey`, like a money write: a replayed confirmation returns the first broadcast
 * (`replayed: true`) and creates no second one and no second set of deliveries.
 */
export async function createBroadcast(
  db: DbOrTx,
  input: { sender: BroadcastSender; audience: Audience } & z.input<typeof createInput>,
  clock: Clock = systemClock,
): Promise<Broadcast & { replayed: boolean }> {
  const body = parseInput(createInput, input);
  const senderTelegramId = input.sender.kind === "partner" ? input.sender.staffTelegramId : input.sender.telegramId;
  const partnerId = input.sender.kind === "partner" ? input.sender.partnerId : null;
  return runIdempotent(() =>
    db.transaction(async (tx) => {
      const [previous] = await tx.select().from(broadcasts).where(eq(broadcasts.idempotencyKey, body.idempotencyKey));
      if (previous) {
        if (previous.senderKind !== input.sender.kind || previous.senderTelegramId !== senderTelegramId || previous.partnerId !== partnerId || previous.text !== body.text) {
          throw new DomainError("IDEMPOTENCY_KEY_REUSED", "this broadcast key was used for another broadcast");
        }
        return { ...previous, replayed: true };
      }
      await requireBroadcastSender(tx, input.sender);
      const now = clock.now();
      const needsApproval = input.sender.kind === "partner" && (await getNetworkSettings(tx)).partnerBroadcastsNeedApproval;
      const [b] = await tx
        .insert(broadcasts)
        .values({
          senderKind: input.sender.kind,
          partnerId,
          senderTelegramId,
          text: body.text,
          photoFileId: body.photoFileId ?? null,
          audience: input.audience,
          status: needsApproval ? "awaiting_approval" : "sending",
          progressChatId: body.progressChatId,
          progressMessageId: body.progressMessageId ?? null,
          idempotencyKey: body.idempotencyKey,
          createdAt: now,
        })
        .returning();
      await audit(tx, { actorType: input.sender.kind === "admin" ? "admin" : "staff", actorTelegramId: b!.senderTelegramId, action: "broadcast.create", targetType: "broadcast", targetId: b!.id, details: { audience: input.audience } });
      if (needsApproval) {
        await enqueue(tx, "notify.admins", { message: "new-broadcast", params: { broadcastId: b!.id, text: body.text.slice(0, 300) } }, { runAt: now });
        return { ...b!, replayed: false };
      }
      return { ...(await start(tx, b!, now)), replayed: false };
    }),
  );
}

/** Fixes the recipients and queues the worker's job. */
async function start(tx: Tx, b: Broadcast, now: Date): Promise<Broadcast> {
  const sender: BroadcastSender = b.senderKind === "partner" ? { kind: "partner", partnerId: b.partnerId!, staffTelegramId: b.senderTelegramId } : { kind: "admin", telegramId: b.senderTelegramId };
  const recipients = await broadcastRecipients(tx, sender, b.audience);
  for (let i = 0; i < recipients.length; i += 1_000) {
    await tx.insert(broadcastDeliveries).values(recipients.slice(i, i + 1_000).map((r) => ({ broadcastId: b.id, clientId: r.clientId, chatId: r.chatId })));
  }
  const [started] = await tx.update(broadcasts).set({ status: "sending", total: recipients.length, startedAt: now }).where(eq(broadcasts.id, b.id)).returning();
  await enqueue(tx, "broadcast.run", { broadcastId: b.id }, { runAt: now, dedupeKey: `broadcast:${b.id}` });
  return started!;
}

/** Admin: approve (it starts) or reject (the partner is told why) a partner's broadcast. */
export async function moderateBroadcast(db: DbOrTx, input: { adminTelegramId: number; broadcastId: number; verdict: Verdict }, clock: Clock = systemClock): Promise<Broadcast> {
  const { status, reason } = checkVerdict(input.verdict);
  return db.transaction(async (tx) => {
    const [b] = await tx.select().from(broadcasts).where(eq(broadcasts.id, input.broadcastId)).for("update");
    if (!b) throw new DomainError("NOT_FOUND", "no such broadcast");
    assertPending(b.status === "awaiting_approval" ? "pending" : b.status);
    const now = clock.now();
    await audit(tx, { actorType: "admin", actorTelegramId: input.adminTelegramId, action: `broadcast.${status === "approved" ? "approve" : "reject"}`, targetType: "broadcast", targetId: b.id, details: reason ? { reason } : {} });
    if (status === "approved") return start(tx, b, now);
    const [rejected] = await tx.update(broadcasts).set({ status: "rejected", moderationReason: reason, finishedAt: now }).where(eq(broadcasts.id, b.id)).returning();
    if (b.partnerId) await enqueue(tx, "notify.partner", { partnerId: b.partnerId, message: "broadcast-rejected", params: { reason: reason ?? "" } }, { runAt: now });
    return rejected!;
  });
}

export type BroadcastProgress = { total: number; sent: number; unreachable: number; uncertain: number; failed: number; pending: number };

export async function broadcastProgress(db: DbOrTx, broadcastId: number): Promise<BroadcastProgress> {
  const rows = await db
    .select({ status: broadcastDeliveries.status, n: sql<string>`count(*)` })
    .from(broadcastDeliveries)
    .where(eq(broadcastDeliveries.broadcastId, broadcastId))
    .groupBy(broadcastDeliveries.status);
  return progressOf(rows);
}

function progressOf(rows: { status: string; n: string | number }[]): BroadcastProgress {
  const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])) as Partial<Record<string, number>>;
  const total = rows.reduce((s, r) => s + Number(r.n), 0);
  return { total, sent: by.sent ?? 0, unreachable: by.unreachable ?? 0, uncertain: by.uncertain ?? 0, failed: by.failed ?? 0, pending: (by.pending ?? 0) + (by.sending ?? 0) };
}

/**
 * The dashboard's broadcasts, newest first, each with its delivery report: one partner's (`partnerId`) or all of
 * them (null, an admin). The reports come from one grouped query over the listed broadcasts.
 */
export async function listBroadcasts(db: DbOrTx, input: { partnerId: number | null; limit?: number }) {
  const limit = Math.min(Math.max(input.limit ?? 50, 1), 200);
  const rows = await db
    .select({
      id: broadcasts.id,
      senderKind: broadcasts.senderKind,
      partnerId: broadcasts.partnerId,
      partnerName: partners.name,
      text: broadcasts.text,
      audience: broadcasts.audience,
      status: broadcasts.status,
      createdAt: broadcasts.createdAt,
      finishedAt: broadcasts.finishedAt,
    })
    .from(broadcasts)
    .leftJoin(partners, eq(partners.id, broadcasts.partnerId))
    .where(input.partnerId === null ? undefined : eq(broadcasts.partnerId, input.partnerId))
    .orderBy(desc(broadcasts.createdAt), desc(broadcasts.id))
    .limit(limit);
  if (rows.length === 0) return [];
  const counts = await db
    .select({ broadcastId: broadcastDeliveries.broadcastId, status: broadcastDeliveries.status, n: sql<string>`count(*)` })
    .from(broadcastDeliveries)
    .where(inArray(broadcastDeliveries.broadcastId, rows.map((r) => r.id)))
    .groupBy(broadcastDeliveries.broadcastId, broadcastDeliveries.status);
  return rows.map((r) => ({ ...r, report: progressOf(counts.filter((c) => c.broadcastId === r.id)) }));
}
