// `npm run bench:sandbox`: the sandbox as a new user meets it — time from `npm start` to the page, the process's
// memory, and how long one accrual takes through the web chat (the cashier's "Confirm" to the bot's answer).
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { newSandboxDataDir, SandboxProcess, WebChat } from "../tests/helpers/sandbox.js";

const accruals = Number(process.env.BENCH_ACCRUALS ?? 20);

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

const dataDir = newSandboxDataDir();
const cold = await new SandboxProcess(dataDir).start();
const coldMs = cold.startedInMs;
const rssAfterStart = rssMb(cold.pid!);
await cold.stop();

const sandbox = await new SandboxProcess(dataDir).start();
const warmMs = sandbox.startedInMs;
const chat = new WebChat(sandbox.url);
const { personas } = await chat.state();
// Taken in turn: one person's pace is limited (RATE_LIMIT_MAX per window), as in production.
const tills = personas.filter((p) => (p.role === "cashier" || p.role === "owner") && p.languageCode === "ru");
const clients = personas.filter((p) => p.role === "client" && p.phone);

// Stopped whatever happens: a failed run must not leave a sandbox running.
let rssAfterAccruals = 0;
const confirmMs: number[] = [];
const conversationMs: number[] = [];
try {
  for (let i = 0; i < accruals; i++) {
    const client = clients[i % clients.length]!;
    const cashier = tills[i % tills.length]!;
    const began = performance.now();
    await chat.say("partner", cashier.telegramId, "/accrue", /Клиент: введите/);
    await chat.say("partner", cashier.telegramId, client.phone!, /Сумма чека/);
    await chat.say("partner", cashier.telegramId, String(300 + i), /Номер чека/);
    await chat.say("partner", cashier.telegramId, `BENCH-${Date.now()}-${i}`, /Начислить клиенту/);
    const confirming = performance.now();
    await chat.press("partner", cashier.telegramId, /Подтвердить/, /Начислено \d+ балл/);
    confirmMs.push(performance.now() - confirming);
    conversationMs.push(performance.now() - began);
  }
  rssAfterAccruals = rssMb(sandbox.pid!);
} finally {
  await sandbox.stop();
}

const figures = {
  start_cold_ms: coldMs,
  start_warm_ms: warmMs,
  rss_after_start_mb: Math.round(rssAfterStart),
  rss_after_accruals_mb: Math.round(rssAfterAccruals),
  accrual_confirm_p50_ms: Math.round(percentile(confirmMs, 50)),
  accrual_confirm_p95_ms: Math.round(percentile(confirmMs, 95)),
  accrual_conversation_p50_ms: Math.round(percentile(conversationMs, 50)),
};
console.log(`| measure | value |\n|---|---|`);
console.log(`| npm start → page served, empty data directory (the page is built too if its sources changed) | ${(coldMs / 1000).toFixed(1)} s |`);
console.log(`| npm start → page served, existing data | ${(warmMs / 1000).toFixed(1)} s |`);
console.log(`| RSS after the start on an empty data directory | ${figures.rss_after_start_mb} MB |`);
console.log(`| RSS after ${accruals} accruals (the second start) | ${figures.rss_after_accruals_mb} MB |`);
console.log(`| accrual: Confirm → "Accrued" shown, p50 / p95 | ${figures.accrual_confirm_p50_ms} / ${figures.accrual_confirm_p95_ms} ms |`);
console.log(`| accrual: whole conversation (5 steps), p50 | ${figures.accrual_conversation_p50_ms} ms |`);
console.log(JSON.stringify(figures));
