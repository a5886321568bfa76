// Part of `npm run bench`: a broadcast to 10,000 clients through a local fake Bot API with the send limit at
// 30 msg/s, performed by the real worker process. Prints the achieved rate, duplicates, per-chat spacing
// violations and the worker's peak memory. BROADCAST_RECIPIENTS changes the size.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { closeDb, createDb } from "../db/client.js";
import { runMigrations } from "../db/migrate.js";
import { createBroadcast } from "../core/broadcasts/service.js";
import { FakeBotApi } from "../tests/helpers/fake-bot-api.js";
import { botInfo, tokens } from "../tests/helpers/processes.js";

const adminUrl = process.env.BENCH_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const recipients = Number(process.env.BROADCAST_RECIPIENTS ?? 10_000);
const limit = 30;
const name = "cashback_bench_broadcast";
const url = (() => {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
})();

async function admin(statement: string) {
  const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await a.unsafe(statement);
  await a.end();
}

/** Peak resident memory of a process, from /proc (Linux). */
const peakRssMiB = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN) / 1024;

async function main() {
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin(`CREATE DATABASE "${name}"`);
  const db = createDb(url, { max: 2 });
  const fake = await FakeBotApi.start();
  for (const bot of ["client", "partner", "admin"] as const) fake.addBot(tokens[bot], botInfo[bot]);
  let worker: ReturnType<typeof spawn> | undefined;
  try {
    await runMigrations(db);
    await db.execute(sql`
      INSERT INTO clients (telegram_id, first_name, referral_code)
      SELECT 9000000 + i, 'Client ' || i, 'R' || lpad(i::text, 7, '0') FROM generate_series(1, ${recipients}) AS i`);
    await db.execute(sql`INSERT INTO balances (client_id) SELECT id FROM clients`);
    const adminChat = 4_242;
    const b = await createBroadcast(db, { sender: { kind: "admin", telegramId: adminChat }, audience: {}, text: "Benchmark broadcast", progressChatId: adminChat, idempotencyKey: `bench:${Date.now()}` });

    const root = fileURLToPath(new URL("../", import.meta.url));
    worker = spawn(process.execPath, ["--import", "tsx", "worker/main.ts"], {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
      env: {
        PATH: process.env.PATH ?? "",
        DATABASE_URL: url,
        REDIS_URL: process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/14",
        CLIENT_BOT_TOKEN: tokens.client,
        PARTNER_BOT_TOKEN: tokens.partner,
        ADMIN_BOT_TOKEN: tokens.admin,
        ADMIN_IDS: String(adminChat),
        TELEGRAM_API_ROOT: fake.url,
        LOG_LEVEL: "warn",
        SEND_RATE_PER_SECOND: String(limit),
      },
    });
    process.stdout.write(`broadcast benchmark: ${recipients} recipients at ${limit} msg/s (about ${Math.ceil(recipients / limit)} s)…\n`);
    await fake.waitFor(tokens.admin, (c) => c.method === "sendMessage" && /завершена/.test(String(c.params.text)), (recipients / limit) * 1_000 * 1.5 + 60_000);
    const peak = peakRssMiB(worker.pid!);

    const sends = fake.calls(tokens.client).filter((c) => c.method === "sendMessage" && c.failed === undefined && c.params.text === "Benchmark broadcast");
    const perChat = new Map<number, number[]>();
    for (const c of sends) perChat.set(Number(c.params.chat_id), [...(perChat.get(Number(c.params.chat_id)) ?? []), c.at]);
    const duplicates = [...perChat.values()].filter((t) => t.length > 1).length;
    const spacingViolations = [...perChat.values()].filter((t) => t.some((at, i) => i > 0 && at - t[i - 1]! < 1_000)).length;
    const first = sends[0]!.at;
    const last = sends.at(-1)!.at;
    const rate = (sends.length - 1) / ((last - first) / 1_000);
    const [row] = await db.execute<{ sent: string }>(sql`SELECT count(*) FILTER (WHERE status = 'sent') AS sent FROM broadcast_deliveries WHERE broadcast_id = ${b.id}`);

    const lines = [
      "",
      `metric                              value        target`,
      `----------------------------------------------------------`,
      `messages delivered                  ${String(sends.length).padEnd(13)}${recipients}`,
      `deliveries marked sent              ${String(row?.sent).padEnd(13)}${recipients}`,
      `achieved rate, msg/s                ${rate.toFixed(2).padEnd(13)}>= ${(0.95 * limit).toFixed(1)} (0.95 x ${limit}) -> ${rate >= 0.95 * limit ? "PASS" : "MISS"}`,
      `rate / limit                        ${(rate / limit).toFixed(3).padEnd(13)}`,
      `chats that got it twice             ${String(duplicates).padEnd(13)}0 -> ${duplicates === 0 ? "PASS" : "MISS"}`,
      `per-chat spacing under 1 s          ${String(spacingViolations).padEnd(13)}0 -> ${spacingViolations === 0 ? "PASS" : "MISS"}`,
      `worker peak RSS, MiB                ${peak.toFixed(0).padEnd(13)}`,
      `elapsed, s                          ${((last - first) / 1_000).toFixed(1)}`,
      "",
    ];
    process.stdout.write(lines.join("\n"));
  } finally {
    if (worker && worker.exitCode === null) {
      const exited = once(worker, "exit");
      worker.kill("SIGTERM");
      await exited;
    }
    await fake.stop();
    await closeDb(db);
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

await main();
