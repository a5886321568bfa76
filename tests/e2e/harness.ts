import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { FakeBotApi } from "../helpers/fake-bot-api.js";
import { resetDb, useTestDb } from "../helpers/db.js";
import { testRedisUrl } from "../helpers/env.js";
import { dedupeKey } from "../../bots/shared/middleware.js";
import { LoadBalancer } from "../helpers/load-balancer.js";
import { botInfo, ProductProcess, tokens, type ProcessName } from "../helpers/processes.js";
import { secretsIn } from "../helpers/secrets.js";

export type BotKey = keyof typeof tokens;
export type User = { id: number; first_name: string; language_code?: string };

export type ProductOptions = {
  /**
   * Webhook mode: WEBHOOK_URL is a test load balancer (`balancer`) that forwards `/telegram/<bot>` to the process
   * running that bot (a bot alone listens on METRICS_PORT=0); a process is up once it has called setWebhook.
   */
  webhook?: boolean;
};

/** Where the bots' webhooks are in webhook mode: `${balancer.url}${webhookBasePath}/<bot>`. */
export const webhookBasePath = "/telegram";

/**
 * One fake Bot API and the product's processes for a test file. Before each test: empty database and Redis,
 * fresh processes; after: stopped, and their output checked for secrets (a phone, a token, initData). `processes`
 * lists which to run.
 */
export function useProduct(processes: ProcessName[] = ["client", "partner", "admin", "worker"], env: Record<string, string> = {}, options: ProductOptions = {}) {
  const db = useTestDb({ max: 5 });
  const state: { fake: FakeBotApi; redis: Redis; balancer: LoadBalancer | undefined; procs: Map<ProcessName, ProductProcess>; extra: ProductProcess[] } = {} as never;

  beforeAll(async () => {
    state.fake = await FakeBotApi.start();
    for (const bot of ["client", "partner", "admin"] as const) state.fake.addBot(tokens[bot], botInfo[bot]);
    state.redis = new Redis(testRedisUrl);
    if (options.webhook) state.balancer = await LoadBalancer.start();
  });
  beforeEach(async ({ onTestFailed }) => {
    // On a failure, what the processes logged is the first thing to read.
    onTestFailed(() => {
      for (const p of allProcesses()) if (p.output.trim()) console.error(`--- ${p.name} output:\n${p.output.slice(-4_000)}`);
    });
    await resetDb(db);
    await state.redis.flushdb();
    state.procs = new Map();
    state.extra = [];
    for (const name of processes) await startProcess(name);
  });
  afterEach(async () => {
    for (const p of allProcesses()) await p.stop();
    // The issue asks that the e2e run's logs never show a phone, a token or initData: every process's, every test.
    const leaks = allProcesses().flatMap((p) => secretsIn(p.output).map((secret) => `${p.name}: ${secret}`));
    if (leaks.length > 0) throw new Error(`secrets in the processes' output:\n${leaks.join("\n")}`);
  });
  afterAll(async () => {
    await state.fake?.stop();
    await state.balancer?.stop();
    state.redis?.disconnect();
  });

  const allProcesses = () => [...(state.procs?.values() ?? []), ...(state.extra ?? [])];

  /**
   * Starts a product process and waits until it takes updates: a bot once it polls (webhook mode: once it has set
   * its webhook, its address being routed to by the balancer), `all` once all three bots do; the worker at once.
   * `replica: true` starts another one of `name` alongside (webhook mode: the balancer alternates between them).
   */
  async function startProcess(name: ProcessName, extraEnv: Record<string, string> = {}, { replica = false } = {}) {
    const webhookEnv = state.balancer ? { WEBHOOK_URL: `${state.balancer.url}${webhookBasePath}`, ...(name !== "all" && { METRICS_PORT: "0" }) } : {};
    const p = new ProductProcess(name, state.fake.url, { ...webhookEnv, ...env, ...extraEnv }).start();
    const replaced = replica ? undefined : state.procs.get(name);
    if (replica) state.extra.push(p);
    else state.procs.set(name, p);
    if (replaced) state.extra.push(replaced); // still checked for secrets after the test
    const since = Date.now();
    const bots = name === "all" ? (["client", "partner", "admin"] as const) : name === "worker" ? [] : [name];
    const started = (err: unknown) => new Error(`${name} did not start: ${String(err)}\n${p.output}`);
    if (state.balancer && bots.length > 0) {
      const url = await p.listeningUrl(90_000).catch((err: unknown) => Promise.reject(started(err)));
      const replicas = [...allProcesses()].filter((q) => q.name === name && q.running && q !== p);
      const urls = [...(await Promise.all(replicas.map((q) => q.listeningUrl()))), url];
      for (const bot of bots) state.balancer.route(`${webhookBasePath}/${bot}`, urls);
    }
    const ready = state.balancer ? "setWebhook" : "getUpdates";
    for (const bot of bots) {
      await state.fake.waitFor(tokens[bot], (c) => c.method === ready && c.at >= since && c.failed === undefined, 90_000).catch((err: unknown) => {
        throw started(err);
      });
    }
    return p;
  }

  /** Sends text as `user` to a bot and waits for the first message to them (sent or edited) after it matching `expect`. */
  async function say(bot: BotKey, user: User, text: string, expect: RegExp) {
    const since = Date.now();
    const updateId = state.fake.sendText(tokens[bot], user, text);
    const call = await waitForMessage(bot, user.id, expect, since);
    return { call, updateId };
  }

  /** Waits until the bot has finished an update, conversation state saved included (its dedupe mark says "done"). */
  async function handled(bot: BotKey, updateId: number, timeoutMs = 10_000) {
    const key = dedupeKey(bot, botInfo[bot].id, updateId);
    for (const until = Date.now() + timeoutMs; Date.now() < until; await new Promise((r) => setTimeout(r, 20))) {
      if ((await state.redis.get(key)) === "done") return;
    }
    throw new Error(`${bot} did not finish update ${updateId}`);
  }

  async function waitForMessage(bot: BotKey, chatId: number, expect: RegExp, since = 0, timeoutMs = 15_000) {
    const call = await state.fake.waitFor(
      tokens[bot],
      // Only what arrived: a send that failed (an injected error) showed the person nothing.
      (c) => c.at >= since && c.failed === undefined && ["sendMessage", "editMessageText", "sendPhoto"].includes(c.method) && Number(c.params.chat_id) === chatId && expect.test(String(c.params.text ?? c.params.caption ?? "")),
      timeoutMs,
    );
    return call;
  }

  /** Presses the newest inline button to `user` whose label matches `label`; waits for a reply matching `expect`. */
  async function press(bot: BotKey, user: User, label: RegExp, expect?: RegExp) {
    const messages = state.fake.messagesTo(tokens[bot], user.id);
    for (let i = messages.length - 1; i >= 0; i--) {
      const m = messages[i]!;
      const rows = (m.reply_markup as { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined)?.inline_keyboard ?? [];
      const button = rows.flat().find((b) => label.test(b.text));
      if (!button?.callback_data) continue;
      const since = Date.now();
      const updateId = state.fake.pressButton(tokens[bot], user, button.callback_data, { message_id: m.message_id, chat_id: user.id });
      if (expect) await waitForMessage(bot, user.id, expect, since);
      return { updateId, data: button.callback_data };
    }
    throw new Error(`no button ${label} in messages to ${user.id}: ${JSON.stringify(messages.slice(-3))}`);
  }

  /** A cashier's whole accrual in the partner bot: client by phone → amount → receipt → confirm. */
  async function accrueAs(cashier: User, clientPhone: string, rubles: string, receipt: string, expectReply: RegExp) {
    await say("partner", cashier, "/accrue", /Клиент: введите/);
    await say("partner", cashier, clientPhone, /Сумма чека/);
    await say("partner", cashier, rubles, /Номер чека/);
    await say("partner", cashier, receipt, /Начислить клиенту/);
    await press("partner", cashier, /Подтвердить/, expectReply);
  }

  return {
    db,
    accrueAs,
    /** The test load balancer the bots' webhooks go through (webhook mode only). */
    get balancer() {
      if (!state.balancer) throw new Error("the balancer exists in webhook mode only: useProduct(…, { webhook: true })");
      return state.balancer;
    },
    get fake() {
      return state.fake;
    },
    get redis() {
      return state.redis;
    },
    process: (name: ProcessName) => state.procs.get(name)!,
    /** The running replicas of `name` started with `startProcess(name, env, { replica: true })`. */
    replicas: (name: ProcessName) => state.extra.filter((p) => p.name === name && p.running),
    startProcess,
    say,
    handled,
    press,
    waitForMessage,
  };
}
