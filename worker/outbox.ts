import type { I18n } from "@grammyjs/i18n";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Api, InlineKeyboard } from "grammy";
import { runBroadcastSlice } from "./broadcast.js";
import { showPromotion } from "./promotion.js";
import type { PacedSender } from "./sender.js";
import { isNetworkError, type TelegramLink } from "./telegram-link.js";
import { beforeSend, claimOf, handBack, Interrupted, Lease, leaseEnd, LeaseLost, stopIfStopping, type Claim } from "./lease.js";
import type { Redis } from "ioredis";
import { at, type Db } from "../db/client.js";
import { clients, jobs, npsRatings, partners, partnerStaff, purchases, redemptionRequests } from "../db/schema/index.js";
import type { Clock } from "../core/clock.js";
import { advanceLedgerTotals } from "../core/analytics/ledger-totals.js";
import { recomputeSegments } from "../core/analytics/nightly.js";
import { deleteEndedDashboardAccess } from "../core/web-auth/service.js";
import { networkStats } from "../core/analytics/network-stats.js";
import { partnerStats } from "../core/analytics/partner-stats.js";
import { startOfDay } from "../core/clock.js";
import type { JobKind, JobPayloads } from "../core/jobs/outbox.js";
import { redactSecrets, safeErrorText, type Logger } from "../core/logger.js";
import { unavailableService } from "../core/unavailable.js";
import { allAdminIds, chosenLanguage, type Language } from "../core/users/service.js";
import { moderationKeyboard, npsKeyboard, redemptionKeyboard } from "../telegram/keyboards.js";
import { maskPhone } from "../core/clients/phone.js";
import { formatRubles } from "../telegram/money.js";
import type { LocalizedContext, Translate } from "../telegram/i18n.js";

export type OutboxDeps = {
  db: Db;
  redis: Redis;
  logger: Logger;
  clock: Clock;
  adminIds: readonly number[];
  apis: { client: Api; partner: Api; admin: Api };
  /** Every message goes through its bot's paced sender (Telegram's limits); `apis` are for edits. */
  senders: { client: PacedSender; partner: PacedSender; admin: PacedSender };
  i18n: { client: I18n<LocalizedContext>; partner: I18n<LocalizedContext>; admin: I18n<LocalizedContext> };
  /** Attempts before a job is dead-lettered (kept with its last error for admins to see). */
  maxAttempts?: number;
  /** Whether Telegram answers (the worker's; tests without it treat a network error as any other failure). */
  telegram?: TelegramLink;
  /** Set while a job runs: its claim, checked before each send. */
  lease?: Lease;
  /** Aborted when the worker is stopping: no more jobs are taken, and the one in hand stops before its next message. */
  stopping?: AbortSignal;
};

type Job = typeof jobs.$inferSelect;
type Message = { chatId: number; text: string; keyboard?: InlineKeyboard; onBlocked?: () => Promise<void> };

/** Jobs whose work is not a message (a send in them is incidental): they run even while Telegram is unreachable. */
const quietKinds = ["analytics.recompute"];

/**
 * Claims due jobs (FOR UPDATE SKIP LOCKED, so several workers never take the same one), performs each under a
 * renewed lease, and marks it done; a failure is retried with exponential backoff and dead-lettered after
 * `maxAttempts`. While Telegram is unreachable (`deps.telegram`), only jobs that do not send are taken, and a job
 * whose send met the outage waits for Telegram's return without losing an attempt. Once `deps.stopping` is aborted,
 * the claimed jobs not yet begun are handed back at once (not left to their lease), and the job in hand stops before
 * its next message and is handed back too. Returns how many jobs it took.
 */
export async function runOutboxOnce(deps: OutboxDeps, batch = 20): Promise<number> {
  if (deps.stopping?.aborted) return 0;
  const now = deps.clock.now();
  const onlyQuiet = deps.telegram && !deps.telegram.up ? sql`AND kind IN (${sql.join(quietKinds.map((k) => sql`${k}`), sql`, `)})` : sql``;
  const claimed = await deps.db.execute<{ id: string; attempts: number; due_at: string }>(sql`
    WITH due AS (
      SELECT id, run_at FROM jobs
      WHERE ((status = 'pending' AND run_at <= ${at(now)}) OR (status = 'running' AND run_at <= ${at(now)})) ${onlyQuiet}
      ORDER BY run_at, id LIMIT ${batch} FOR UPDATE SKIP LOCKED)
    UPDATE jobs SET attempts = attempts + 1, run_at = ${at(leaseEnd(now))}, status = 'running', updated_at = now()
    FROM due WHERE jobs.id = due.id
    RETURNING jobs.id, jobs.attempts, due.run_at AS due_at`);
  // Performed in the order they fell due, then as they were enqueued (RETURNING keeps no order): a person's messages
  // written together (the points, then the question about the visit) arrive in that order.
  const inOrder = [...claimed].sort((a, b) => new Date(a.due_at).getTime() - new Date(b.due_at).getTime() || Number(a.id) - Number(b.id));
  const notBegun = new Map<number, Claim>(inOrder.map((row) => [Number(row.id), { id: Number(row.id), attempts: Number(row.attempts) }]));
  // Both the stop signal and a failure may hand back (each what is left then): every one is awaited.
  const handingBack: Promise<void>[] = [];
  const handBackNotBegun = () => {
    const claims = [...notBegun.values()];
    notBegun.clear();
    if (claims.length === 0) return;
    handingBack.push(handBack(deps, claims).catch((err: unknown) => deps.logger.warn({ err, jobIds: claims.map((c) => c.id) }, "could not hand back claimed jobs; their leases will lapse")));
  };
  deps.stopping?.addEventListener("abort", handBackNotBegun, { once: true });
  if (deps.stopping?.aborted) handBackNotBegun();
  try {
    for (const { id } of inOrder) {
      if (!notBegun.delete(Number(id))) break; // handed back: the worker is stopping
      const [job] = await deps.db.select().from(jobs).where(eq(jobs.id, Number(id)));
      if (!job) continue;
      await performClaimed(deps, job);
    }
  } catch (err) {
    // Postgres or Redis went away: the jobs not begun wait for it too, but need not wait for their leases.
    handBackNotBegun();
    throw err;
  } finally {
    deps.stopping?.removeEventListener("abort", handBackNotBegun);
    await Promise.all(handingBack);
  }
  return claimed.length;
}

async function performClaimed(deps: OutboxDeps, job: Job): Promise<void> {
  if (deps.telegram && !deps.telegram.up && !quietKinds.includes(job.kind)) {
    await handBack(deps, [job], waitingForTelegram("Telegram is unreachable"));
    return;
  }
  const lease = await Lease.take(deps, job);
  if (!lease) return; // another worker took it while it waited in this batch
  try {
    if ((await perform({ ...deps, lease }, job)) === "again") {
      // A long job (a broadcast) did a slice of its work: due again at once, other jobs first.
      await deps.db.update(jobs).set({ status: "pending", attempts: 0, runAt: deps.clock.now(), updatedAt: sql`now()` }).where(claimOf(job));
      return;
    }
    await deps.db.update(jobs).set({ status: "done", updatedAt: sql`now()`, lastError: null }).where(claimOf(job));
  } catch (err) {
    if (err instanceof Interrupted) {
      // What it sent is remembered (Redis, or a broadcast's delivery rows): whoever takes it next goes on from there.
      deps.logger.info({ jobId: job.id, kind: job.kind }, "job handed back unfinished: the worker is stopping");
      await handBack(deps, [job]);
      return;
    }
    if (err instanceof LeaseLost) {
      deps.logger.warn({ jobId: job.id, kind: job.kind }, "job left to another worker: its lease could not be renewed");
      return;
    }
    if (unavailableService(err)) {
      // Postgres or Redis is down: not the job's fault either. Handed back (if Postgres lets us), and the worker's
      // loop waits for the service, logging the outage once.
      await handBack(deps, [job]).catch(() => undefined);
      throw err;
    }
    // (A job that runs during an outage anyway backs off as usual, or it would spin.)
    if (deps.telegram && isNetworkError(err) && !quietKinds.includes(job.kind)) {
      deps.telegram.lost(err);
      // An outage is not the job's fault and must not kill it: the attempt is given back.
      await handBack(deps, [job], waitingForTelegram(err instanceof Error ? err.message : String(err)));
      return;
    }
    const dead = job.attempts >= (deps.maxAttempts ?? 8);
    const backoffSeconds = Math.min(2 ** job.attempts * 5, 3_600);
    deps.logger.warn({ err, jobId: job.id, kind: job.kind, attempts: job.attempts, dead }, "job failed");
    await deps.db
      .update(jobs)
      .set({ status: dead ? "dead" : "pending", lastError: safeErrorText(err, 2_000), runAt: new Date(deps.clock.now().getTime() + backoffSeconds * 1000), updatedAt: sql`now()` })
      .where(claimOf(job));
  } finally {
    lease.release();
  }
}

const waitingForTelegram = (reason: string) => redactSecrets(`waiting for Telegram: ${reason}`).slice(0, 500);

async function perform(deps: OutboxDeps, job: Job): Promise<"again" | void> {
  const kind = job.kind as JobKind;
  if (kind === "broadcast.run") return (await runBroadcastSlice(deps, (job.payload as JobPayloads["broadcast.run"]).broadcastId)) === "more" ? "again" : undefined;
  if (kind === "promotion.show") return showPromotion(deps, job.id, job.payload as JobPayloads["promotion.show"]);
  const handlers: { [K in Exclude<JobKind, "broadcast.run" | "promotion.show">]: (p: JobPayloads[K]) => Promise<{ bot: keyof OutboxDeps["apis"]; messages: Message[] }> } = {
    "notify.client": (p) => clientMessage(deps, p.clientId, (t) => ({ text: t(`notify-${p.message}`, translateParams(t, p.params)) })),
    "notify.partner": async (p) => ({ bot: "partner", messages: await staffMessages(deps, p.partnerId, (t) => t(p.message, translateParams(t, p.params))) }),
    "notify.admins": async (p) => {
      const ids = await allAdminIds(deps.db, deps.adminIds);
      const messages: Message[] = [];
      for (const chatId of ids) {
        const t = await translator(deps, deps.i18n.admin, chatId);
        const keyboard =
          p.message === "new-partner-application" && p.params?.partnerId
            ? moderationKeyboard(t, "p", Number(p.params.partnerId))
            : p.message === "new-service" && p.params?.serviceId
              ? moderationKeyboard(t, "s", Number(p.params.serviceId))
              : p.message === "new-broadcast" && p.params?.broadcastId
                ? moderationKeyboard(t, "b", Number(p.params.broadcastId))
                : undefined;
        messages.push({ chatId, text: t(p.message, p.params), ...(keyboard ? { keyboard } : {}) });
      }
      return { bot: "admin", messages };
    },
    "redemption.ask-client": async (p) => {
      const [row] = await deps.db
        .select({ request: redemptionRequests, partnerName: partners.name })
        .from(redemptionRequests)
        .innerJoin(partners, eq(partners.id, redemptionRequests.partnerId))
        .where(eq(redemptionRequests.id, p.redemptionRequestId));
      if (!row || row.request.status !== "pending") return { bot: "client", messages: [] };
      const r = row.request;
      return clientMessage(deps, r.clientId, (t, language) => ({
        text: t("redemption-ask", { partner: row.partnerName, points: r.points, check: formatRubles(r.checkKopecks, language), code: r.code }),
        keyboard: redemptionKeyboard(t, r.id),
      }));
    },
    "redemption.tell-cashier": async (p) => ({ bot: "partner", messages: await cashierMessages(deps, p) }),
    "nps.ask": async (p) => {
      const [row] = await deps.db
        .select({ purchase: purchases, partnerName: partners.name, rated: npsRatings.id })
        .from(purchases)
        .innerJoin(partners, eq(partners.id, purchases.partnerId))
        .leftJoin(npsRatings, eq(npsRatings.purchaseId, purchases.id))
        .where(eq(purchases.id, p.purchaseId));
      // Undone checks and rated visits are not asked about.
      if (!row || row.purchase.cancelledAt || row.rated) return { bot: "client", messages: [] };
      return clientMessage(deps, row.purchase.clientId, (t) => ({ text: t("nps-ask", { partner: row.partnerName }), keyboard: npsKeyboard(row.purchase.id) }));
    },
    "analytics.recompute": async (p) => {
      const rows = await recomputeSegments(deps.db, deps.clock);
      // The ledger's totals as of last midnight, from which the dashboard's liability starts (a second run adds nothing).
      await advanceLedgerTotals(deps.db, deps.clock);
      // The nightly run also clears dashboard sign-in links and sessions that ended more than a day ago.
      await deleteEndedDashboardAccess(deps.db, deps.clock);
      if (!p.requestedBy) return { bot: "admin", messages: [] };
      const t = await translator(deps, deps.i18n.admin, p.requestedBy);
      return { bot: "admin", messages: [{ chatId: p.requestedBy, text: t("segments-recomputed", { rows }) }] };
    },
    "digest.partners": async (p) => ({ bot: "partner", messages: await partnerDigests(deps, p.day) }),
    "digest.network": async (p) => ({ bot: "admin", messages: await networkDigests(deps, p.day) }),
    "nps.low-score": async (p) => {
      const [rating] = await deps.db.select().from(npsRatings).where(eq(npsRatings.id, p.ratingId));
      if (!rating?.comment) return { bot: "partner", messages: [] };
      return { bot: "partner", messages: await staffMessages(deps, rating.partnerId, (t) => t("nps-low-score", { score: rating.score, comment: rating.comment ?? "" })) };
    },
  };
  const handler = handlers[kind] as ((p: unknown) => ReturnType<(typeof handlers)["notify.client"]>) | undefined;
  if (!handler) throw new Error(`unknown job kind ${job.kind}`);
  const { bot, messages } = await handler(job.payload);
  await deliver(deps, job, deps.senders[bot], messages);
}

/**
 * Sends each message once: the chats a job has reached are remembered in Redis, so a retry after a partial
 * failure (or a crash) does not repeat them. A chat that blocked the bot (403) is skipped, not retried.
 */
async function deliver(deps: OutboxDeps, job: Job, sender: PacedSender, messages: Message[]): Promise<void> {
  const sentKey = `job-sent:${job.id}`;
  for (const m of messages) {
    if (await deps.redis.sismember(sentKey, String(m.chatId))) continue;
    stopIfStopping(deps);
    const outcome = await sender.send({ chatId: m.chatId, text: m.text, ...(m.keyboard ? { keyboard: m.keyboard } : {}) }, beforeSend(deps));
    if (!outcome.ok) await m.onBlocked?.();
    await deps.redis.multi().sadd(sentKey, String(m.chatId)).expire(sentKey, 7 * 24 * 3600).exec();
  }
}

async function translator(deps: OutboxDeps, i18n: I18n<LocalizedContext>, telegramId: number, fallback: Language = "ru") {
  const language = (await chosenLanguage(deps.db, telegramId)) ?? fallback;
  const t = ((key: string, vars?: Record<string, string | number>) => i18n.t(language, key, vars)) as Translate;
  return Object.assign(t, { language });
}

/** One message to a client, in their language; none if they have no Telegram account (yet) or are unreachable. */
async function clientMessage(deps: OutboxDeps, clientId: number, render: (t: Translate, language: Language) => { text: string; keyboard?: InlineKeyboard }) {
  const [client] = await deps.db.select().from(clients).where(eq(clients.id, clientId));
  if (!client?.telegramId || client.status === "deleted" || client.status === "merged" || client.unreachableSince) return { bot: "client" as const, messages: [] };
  const t = await translator(deps, deps.i18n.client, client.telegramId, client.language);
  const chatId = client.telegramId;
  const onBlocked = async () => {
    await deps.db.update(clients).set({ unreachableSince: deps.clock.now() }).where(and(eq(clients.id, clientId), isNull(clients.unreachableSince)));
  };
  return { bot: "client" as const, messages: [{ chatId, ...render(t, t.language), onBlocked }] };
}

async function staffMessages(deps: OutboxDeps, partnerId: number, render: (t: Translate) => string): Promise<Message[]> {
  const staff = await deps.db.select({ telegramId: partnerStaff.telegramId }).from(partnerStaff).where(and(eq(partnerStaff.partnerId, partnerId), isNull(partnerStaff.removedAt)));
  const messages: Message[] = [];
  for (const s of staff) messages.push({ chatId: s.telegramId, text: render(await translator(deps, deps.i18n.partner, s.telegramId)) });
  return messages;
}

/**
 * What became of a redemption request, to the cashier who asked for it only (if still on the partner's staff), naming
 * the client as the partner bot shows them and the request's number. Requests from before cashiers were recorded go to all staff.
 */
async function cashierMessages(deps: OutboxDeps, p: JobPayloads["redemption.tell-cashier"]): Promise<Message[]> {
  const [row] = await deps.db
    .select({ request: redemptionRequests, name: clients.firstName, phone: clients.phone })
    .from(redemptionRequests)
    .innerJoin(clients, eq(clients.id, redemptionRequests.clientId))
    .where(eq(redemptionRequests.id, p.redemptionRequestId));
  if (!row) return [];
  const r = row.request;
  const render = (t: Translate) => t(p.message, { ...p.params, points: r.points, requestId: r.id, name: row.name ?? "—", phone: maskPhone(row.phone) });
  if (r.staffTelegramId === null) return staffMessages(deps, r.partnerId, render);
  const [asker] = await deps.db
    .select({ telegramId: partnerStaff.telegramId })
    .from(partnerStaff)
    .where(and(eq(partnerStaff.partnerId, r.partnerId), eq(partnerStaff.telegramId, r.staffTelegramId), isNull(partnerStaff.removedAt)));
  if (!asker) return [];
  return [{ chatId: asker.telegramId, text: render(await translator(deps, deps.i18n.partner, asker.telegramId)) }];
}

/** Tier names travel as ids ("silver") and are shown in the reader's language. */
function translateParams(t: Translate, params: Record<string, string | number> | undefined) {
  if (!params) return undefined;
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, k === "tier" ? t(`tier-${v}`) : v]));
}

/** Yesterday: the Moscow calendar day before `day`. */
const yesterdayOf = (day: string) => {
  const until = startOfDay(new Date(`${day}T12:00:00+03:00`));
  return { since: new Date(until.getTime() - 24 * 3_600_000), until };
};

async function partnerDigests(deps: OutboxDeps, day: string): Promise<Message[]> {
  const range = yesterdayOf(day);
  const owners = await deps.db
    .select({ partnerId: partners.id, name: partners.name, telegramId: partnerStaff.telegramId })
    .from(partners)
    .innerJoin(partnerStaff, and(eq(partnerStaff.partnerId, partners.id), eq(partnerStaff.role, "owner"), isNull(partnerStaff.removedAt)))
    .where(eq(partners.status, "approved"));
  const messages: Message[] = [];
  for (const o of owners) {
    const s = await partnerStats(deps.db, o.partnerId, range);
    const t = await translator(deps, deps.i18n.partner, o.telegramId);
    messages.push({
      chatId: o.telegramId,
      text: t("digest", { partner: o.name, turnover: formatRubles(s.turnoverKopecks, t.language), checks: s.checks, issued: s.pointsIssued, redeemed: s.pointsRedeemed, newClients: s.newClients, nps: s.nps.nps === null ? "—" : String(s.nps.nps) }),
    });
  }
  return messages;
}

async function networkDigests(deps: OutboxDeps, day: string): Promise<Message[]> {
  const network = await networkStats(deps.db, yesterdayOf(day));
  const messages: Message[] = [];
  for (const chatId of await allAdminIds(deps.db, deps.adminIds)) {
    const t = await translator(deps, deps.i18n.admin, chatId);
    messages.push({ chatId, text: t("digest-network", { ...network, turnover: formatRubles(network.turnoverKopecks, t.language) }) });
  }
  return messages;
}
