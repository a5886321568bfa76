import { readFile } from "node:fs/promises";
import { autoRetry } from "@grammyjs/auto-retry";
import { eq } from "drizzle-orm";
import { Api, Bot } from "grammy";
import type { Update, UserFromGetMe } from "grammy/types";
import { beforeAll, describe, expect, it } from "vitest";
import { registerClientByPhone } from "../../core/clients/service.js";
import { enqueue } from "../../core/jobs/outbox.js";
import { accrue } from "../../core/ledger/service.js";
import { metricsText, watchRuntime } from "../../core/ops/metrics.js";
import { broadcastDeliveries, broadcasts, jobs } from "../../db/schema/index.js";
import { countUpdateError, observedFetch, observeUpdates } from "../../telegram/observe.js";
import { useTestDb } from "../helpers/db.js";
import { makeClient, makePartner, newTelegramId } from "../helpers/fixtures.js";
import { useInProcessBot } from "../helpers/in-process-bot.js";
import { botInfo, tokens } from "../helpers/processes.js";
import { useFakeTelegram } from "../helpers/worker.js";

const db = useTestDb({ max: 5 });
const telegram = useFakeTelegram();
const bots = useInProcessBot(db, telegram);

beforeAll(() => {
  watchRuntime({ db, redis: telegram.redis }, "metrics-test");
});

// ---- A small parser of the Prometheus text format (prom-client writes it but cannot read it) ---------------------

type Sample = { name: string; labels: Record<string, string>; value: number };

const labelPair = String.raw`[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"`;
const sampleLine = new RegExp(String.raw`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:${labelPair})(?:,${labelPair})*)?\})? (-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|NaN|Nan|[+-]Inf)$`);

/** Every sample of the exposition; throws on a line that is not a comment, a blank or a well-formed sample of a declared metric. */
function parseExposition(text: string): Sample[] {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const declared = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (declared) {
      if (declared[1] === "TYPE") {
        expect(["counter", "gauge", "histogram", "summary", "untyped"]).toContain(declared[3]);
        types.set(declared[2]!, declared[3]!);
      }
      continue;
    }
    const m = sampleLine.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${JSON.stringify(line)}`);
    const name = m[1]!;
    const family = [name, name.replace(/_(bucket|sum|count)$/, "")].find((n) => types.has(n));
    if (!family) throw new Error(`sample of an undeclared metric: ${line}`);
    const labels = Object.fromEntries([...(m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    samples.push({ name, labels, value: Number(m[3]!.replace("Inf", "Infinity").replace("Nan", "NaN")) });
  }
  return samples;
}

async function scrape() {
  const { contentType, body } = await metricsText();
  expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = parseExposition(body);
  /** The sum of the samples named `name` whose labels include `labels` (0 if none). */
  const value = (name: string, labels: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
  const has = (name: string) => samples.some((s) => s.name === name);
  return { body, samples, value, has };
}

async function eventually(check: () => Promise<void>, timeoutMs = 10_000) {
  for (const until = Date.now() + timeoutMs; ; await new Promise((r) => setTimeout(r, 50))) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) throw err;
    }
  }
}

/** The real bot in this process, its Bot API requests observed the way launch.ts does it: at the fetch, under auto-retry. */
function startObservedBot(name: "client" | "partner") {
  const bot = bots.start(name, {}, { fetch: observedFetch(name) });
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 5 }));
  return bot;
}

/** Successful message sends the fake Bot API recorded for `bot`. */
const sentByFake = (token: string) => telegram.fake.calls(token).filter((c) => c.failed === undefined && /^(send(?!ChatAction)|copyMessage)/.test(c.method)).length;

describe("/metrics", () => {
  it("is well-formed Prometheus text with the process metrics and every family of ours", async () => {
    const { has, samples } = await scrape();
    expect(has("cashback_process_cpu_user_seconds_total")).toBe(true);
    expect(has("cashback_nodejs_eventloop_lag_seconds")).toBe(true);
    for (const name of ["cashback_scrape_postgres_up", "cashback_jobs", "cashback_job_oldest_age_seconds", "cashback_broadcast_recipients", "cashback_pg_connections", "cashback_pg_pool_max"]) {
      expect(has(name), name).toBe(true);
    }
    // No unbounded label: no chat, client or broadcast ids anywhere.
    for (const s of samples) for (const key of Object.keys(s.labels)) expect(["bot", "type", "method", "outcome", "kind", "state", "status", "process", "le", "version", "major", "minor", "patch", "space"]).toContain(key);
  });

  it("the sample Grafana dashboard (ops/grafana-dashboard.json) queries only metrics this exposition has, through its Prometheus datasource variable", async () => {
    const dashboard = JSON.parse(await readFile(new URL("../../ops/grafana-dashboard.json", import.meta.url), "utf8")) as {
      templating: { list: { type: string; name: string; query: unknown }[] };
      panels: { type: string; datasource?: { uid: string }; targets?: { expr: string }[] }[];
    };
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ type: "datasource", name: "datasource", query: "prometheus" }));
    const { samples, body } = await scrape();
    const families = new Set(body.split("\n").flatMap((l) => /^# TYPE (\S+) /.exec(l)?.[1] ?? []));
    const exported = (name: string) => families.has(name) || families.has(name.replace(/_(bucket|sum|count)$/, "")) || samples.some((s) => s.name === name);
    const queried = dashboard.panels.filter((p) => p.type !== "row").flatMap((p) => {
      expect(p.datasource?.uid).toBe("${datasource}");
      return (p.targets ?? []).flatMap((t) => t.expr.match(/\bcashback_[a-z0-9_]+/g) ?? []);
    });
    expect(queried.length).toBeGreaterThan(20);
    for (const name of new Set(queried)) expect(exported(name), name).toBe(true);
  });

  it("updates handled by type and their latency; Bot API calls by method and outcome, each attempt auto-retry makes, 429s; messages sent", async () => {
    startObservedBot("client");
    const before = await scrape();
    const user = { id: newTelegramId(), first_name: "Тест" };
    // The first reply is refused with 429: auto-retry waits a second and sends it again.
    telegram.fake.failNext(tokens.client, "sendMessage", { error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } });
    const sentBefore = sentByFake(tokens.client);
    telegram.fake.sendText(tokens.client, user, "/help");
    await telegram.fake.waitForText(tokens.client, user.id, /Я храню ваши баллы/);
    telegram.fake.pushUpdate(tokens.client, {
      my_chat_member: {
        chat: { id: user.id, type: "private", first_name: user.first_name },
        from: { id: user.id, is_bot: false, first_name: user.first_name },
        date: Math.floor(Date.now() / 1000),
        old_chat_member: { status: "member", user: { ...botInfo.client, is_bot: true } },
        new_chat_member: { status: "kicked", user: { ...botInfo.client, is_bot: true }, until_date: 0 },
      },
    } as Omit<Update, "update_id">);

    await eventually(async () => {
      const after = await scrape();
      const delta = (name: string, labels: Record<string, string>) => after.value(name, labels) - before.value(name, labels);
      expect(delta("cashback_updates_total", { bot: "client", type: "message" })).toBe(1);
      expect(delta("cashback_updates_total", { bot: "client", type: "my_chat_member" })).toBe(1);
      expect(delta("cashback_update_duration_seconds_count", { bot: "client" })).toBe(2);
      // The /help update took at least the second auto-retry waited.
      expect(delta("cashback_update_duration_seconds_sum", { bot: "client" })).toBeGreaterThanOrEqual(1);
      expect(delta("cashback_update_duration_seconds_bucket", { bot: "client", le: "0.5" })).toBeLessThanOrEqual(1);
      expect(delta("cashback_update_duration_seconds_bucket", { bot: "client", le: "+Inf" })).toBe(2);
      expect(delta("cashback_telegram_requests_total", { bot: "client", method: "sendMessage", outcome: "429" })).toBe(1);
      expect(delta("cashback_telegram_requests_total", { bot: "client", method: "sendMessage", outcome: "ok" })).toBeGreaterThanOrEqual(1);
      expect(delta("cashback_telegram_429_total", { bot: "client" })).toBe(1);
      expect(delta("cashback_messages_sent_total", { bot: "client" })).toBe(sentByFake(tokens.client) - sentBefore);
      expect(delta("cashback_update_errors_total", { bot: "client" })).toBe(0);
    });
  });

  it("a partner's accrual conversation: the messages counted are the messages Telegram got (a conversation's replayed calls are not counted again), and the ledger write by kind", async () => {
    const p = await makePartner(db);
    await registerClientByPhone(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, phone: "+79161230003", firstName: "Олег" });
    startObservedBot("partner");
    const startedAt = Date.now();
    const before = await scrape();
    const sentBefore = sentByFake(tokens.partner);
    const owner = { id: p.staffTelegramId, first_name: "Анна" };
    const say = async (text: string, expected: RegExp) => {
      const since = Date.now();
      telegram.fake.sendText(tokens.partner, owner, text);
      await telegram.fake.waitFor(tokens.partner, (c) => c.at >= since && c.failed === undefined && Number(c.params.chat_id) === owner.id && expected.test(String(c.params.text)), 30_000);
    };
    await say("/accrue", /введите телефон/);
    await say("+79161230003", /Клиент: Ол\*\*\*/);
    await say("1500", /Номер чека/);
    await say("R-1", /Начислить клиенту Олег/);
    const since = Date.now();
    telegram.fake.pressButton(tokens.partner, owner, "ok:yes");
    await telegram.fake.waitFor(tokens.partner, (c) => c.at >= since && c.failed === undefined && /Начислено/.test(String(c.params.text)), 30_000);

    await eventually(async () => {
      const after = await scrape();
      const delta = (name: string, labels: Record<string, string>) => after.value(name, labels) - before.value(name, labels);
      expect(delta("cashback_updates_total", { bot: "partner" })).toBe(5);
      expect(delta("cashback_updates_total", { bot: "partner", type: "callback_query" })).toBe(1);
      expect(delta("cashback_messages_sent_total", { bot: "partner" })).toBe(sentByFake(tokens.partner) - sentBefore);
      const requestsMade = telegram.fake.calls(tokens.partner).filter((c) => c.at >= startedAt && c.method !== "getUpdates").length;
      const requestsCounted = after.samples
        .filter((s) => s.name === "cashback_telegram_requests_total" && s.labels.bot === "partner" && s.labels.method !== "getUpdates")
        .reduce((sum, s) => sum + s.value - before.value(s.name, s.labels), 0);
      expect(requestsCounted).toBe(requestsMade);
      expect(delta("cashback_ledger_writes_total", { kind: "accrual" })).toBe(1);
    });
  });

  it("a request that got no answer counts as `network`, whenever it was made (from a timer callback too)", async () => {
    const api = new Api(tokens.client, { apiRoot: "http://127.0.0.1:1", timeoutSeconds: 5, fetch: observedFetch("client") });
    const labels = { bot: "client", method: "getMe", outcome: "network" };
    const before = await scrape();
    const failed = (fromTimer: boolean) =>
      new Promise<void>((resolve) => {
        const call = () => void api.getMe().catch(() => resolve());
        if (fromTimer) setTimeout(call, 1);
        else call();
      });
    await Promise.all([failed(true), failed(true), failed(false)]);
    const after = await scrape();
    expect(after.value("cashback_telegram_requests_total", labels) - before.value("cashback_telegram_requests_total", labels)).toBe(3);
  });

  it("ledger writes by kind: each entry once, a replayed accrual not again", async () => {
    const p = await makePartner(db);
    const before = await scrape();
    const c = await makeClient(db, 100); // an adjustment of 100 points
    const input = { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: c.clientId, amountKopecks: 50_000, receiptNumber: "M-1" };
    await accrue(db, input);
    expect((await accrue(db, input)).replayed).toBe(true);
    const after = await scrape();
    expect(after.value("cashback_ledger_writes_total", { kind: "accrual" }) - before.value("cashback_ledger_writes_total", { kind: "accrual" })).toBe(1);
    expect(after.value("cashback_ledger_writes_total", { kind: "adjustment" }) - before.value("cashback_ledger_writes_total", { kind: "adjustment" })).toBe(1);
  });

  it("an update whose failure escapes the handlers is counted as an error, and so is one the error boundary reports", async () => {
    const bot = new Bot(tokens.admin, { botInfo: { ...botInfo.admin, is_bot: true } as UserFromGetMe, client: { apiRoot: telegram.fake.url } });
    bot.use(observeUpdates("admin"));
    bot.on("message", () => {
      throw new Error("boom");
    });
    const before = await scrape();
    const update = { update_id: 1, message: { message_id: 1, date: 0, chat: { id: 7, type: "private", first_name: "Т" }, from: { id: 7, is_bot: false, first_name: "Т" }, text: "hi" } } as Update;
    await expect(bot.handleUpdate(update)).rejects.toThrow(/boom/);
    countUpdateError("admin");
    const after = await scrape();
    expect(after.value("cashback_update_errors_total", { bot: "admin" }) - before.value("cashback_update_errors_total", { bot: "admin" })).toBe(2);
    expect(after.value("cashback_updates_total", { bot: "admin", type: "message" }) - before.value("cashback_updates_total", { bot: "admin", type: "message" })).toBe(1);
  });

  it("jobs pending/running/dead and the age of the oldest; the recipients of the broadcasts being sent", async () => {
    const now = Date.now();
    await enqueue(db, "notify.client", { clientId: 1, message: "balance-adjusted", params: {} }, { runAt: new Date(now - 90_000) });
    await enqueue(db, "notify.client", { clientId: 2, message: "balance-adjusted", params: {} }, { runAt: new Date(now - 1_000) });
    // Scheduled for later: pending, but not waiting yet.
    await enqueue(db, "notify.client", { clientId: 3, message: "balance-adjusted", params: {} }, { runAt: new Date(now + 3_600_000) });
    await enqueue(db, "notify.client", { clientId: 4, message: "balance-adjusted", params: {} }, { dedupeKey: "running" });
    await enqueue(db, "notify.client", { clientId: 5, message: "balance-adjusted", params: {} }, { dedupeKey: "dead" });
    await db.update(jobs).set({ status: "running" }).where(eq(jobs.dedupeKey, "running"));
    await db.update(jobs).set({ status: "dead", createdAt: new Date(now - 600_000) }).where(eq(jobs.dedupeKey, "dead"));

    const clients = await Promise.all([1, 2, 3].map(() => makeClient(db)));
    const [sending] = await db.insert(broadcasts).values({ senderKind: "admin", senderTelegramId: 1, text: "x", status: "sending", total: 3, progressChatId: 1 }).returning();
    const [done] = await db.insert(broadcasts).values({ senderKind: "admin", senderTelegramId: 1, text: "y", status: "done", total: 3, progressChatId: 1 }).returning();
    await db.insert(broadcastDeliveries).values([
      { broadcastId: sending!.id, clientId: clients[0]!.clientId, status: "sent" },
      { broadcastId: sending!.id, clientId: clients[1]!.clientId, status: "failed" },
      { broadcastId: sending!.id, clientId: clients[2]!.clientId, status: "pending" },
      ...clients.map((c) => ({ broadcastId: done!.id, clientId: c.clientId, status: "sent" as const })),
    ]);

    await new Promise((r) => setTimeout(r, 600)); // past the snapshot an earlier scrape may have left
    const { value } = await scrape();
    expect(value("cashback_scrape_postgres_up")).toBe(1);
    expect(value("cashback_jobs", { state: "pending" })).toBe(3);
    expect(value("cashback_jobs", { state: "running" })).toBe(1);
    expect(value("cashback_jobs", { state: "dead" })).toBe(1);
    expect(value("cashback_job_oldest_age_seconds", { state: "pending" })).toBeGreaterThanOrEqual(89);
    expect(value("cashback_job_oldest_age_seconds", { state: "pending" })).toBeLessThan(300);
    expect(value("cashback_job_oldest_age_seconds", { state: "dead" })).toBeGreaterThanOrEqual(599);
    expect(value("cashback_broadcasts_sending")).toBe(1);
    expect(value("cashback_broadcast_recipients", { status: "sent" })).toBe(1);
    expect(value("cashback_broadcast_recipients", { status: "failed" })).toBe(1);
    expect(value("cashback_broadcast_recipients", { status: "pending" })).toBe(1);
    expect(value("cashback_pg_pool_max", { process: "metrics-test" })).toBe(5);
    expect(value("cashback_pg_connections", { process: "metrics-test" })).toBeGreaterThanOrEqual(1);
  });
});
