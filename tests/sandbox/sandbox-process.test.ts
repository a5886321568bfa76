import { PGlite } from "@electric-sql/pglite";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { newSandboxDataDir, SandboxProcess, WebChat } from "../helpers/sandbox.js";

/**
 * `npm start` with no configuration, as a user runs it: a real child process, the embedded database in a fresh
 * data directory, driven through the web chat's HTTP API (the page's own calls).
 */
describe("the sandbox (npm start with no configuration)", () => {
  let sandbox: SandboxProcess | undefined;
  afterEach(async () => {
    await sandbox?.stop();
    sandbox = undefined;
  });

  it("serves the web chat within 30 s of starting from an empty data directory, says it is not for real customers, and comes with demo people", async () => {
    sandbox = await new SandboxProcess(newSandboxDataDir()).start();
    console.log(`sandbox: page served ${sandbox.startedInMs} ms after npm start (empty data directory)`);
    expect(sandbox.startedInMs).toBeLessThan(30_000);
    expect(sandbox.output).toMatch(/^Sandbox mode/);
    expect(sandbox.output).toMatch(/NOT for real customers/);
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const page = await fetch(sandbox.url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/<script[^>]+src=/);

    const { personas } = await new WebChat(sandbox.url).state();
    const roles = new Set(personas.map((p) => p.role));
    for (const role of ["admin", "owner", "cashier", "client"]) expect(roles).toContain(role);
    expect(personas.filter((p) => p.role === "client").length).toBeGreaterThanOrEqual(12);
  }, 120_000);

  it("killed (SIGKILL) in the middle of a cashier's accrual and started again: the conversation continues, and a crash after the write still gives one accrual", async () => {
    const dataDir = newSandboxDataDir();
    sandbox = await new SandboxProcess(dataDir).start();
    let chat = new WebChat(sandbox.url);
    const { personas } = await chat.state();
    const cashier = personas.find((p) => p.role === "cashier")!;
    const client = personas.find((p) => p.role === "client" && p.phone)!;

    await chat.say("partner", cashier.telegramId, "/accrue", /Клиент: введите/);
    await chat.say("partner", cashier.telegramId, client.phone!, /Сумма чека/);
    await chat.say("partner", cashier.telegramId, "1000", /Номер чека/);

    // Killed between two steps: the conversation and the chat itself are where they were. (The reply goes out before
    // the step's state is saved, at the end of the update: a kill in that instant is a crash *within* the step, the
    // case the fault injection below covers. Here the step is given a moment to finish, as a person's pause would.)
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await sandbox.kill();
    sandbox = await new SandboxProcess(dataDir).start();
    chat = new WebChat(sandbox.url);
    await chat.say("partner", cashier.telegramId, "SANDBOX-1", /Начислить клиенту/);

    // Killed by the fault injection right after the accrual is written and answered, before the conversation records
    // the step. After the restart the step replays: the local Bot API delivers the update again if the dead process had
    // not confirmed it; if it had, the cashier presses again, as a person would. Either way: one accrual.
    await sandbox.stop();
    sandbox = new SandboxProcess(dataDir, { FAULT_CRASH_BEFORE_CONVERSATION_SAVE: "1" });
    await sandbox.start();
    chat = new WebChat(sandbox.url);
    const seen = await chat.seen("partner", cashier.telegramId);
    await chat.press("partner", cashier.telegramId, /Подтвердить/);
    await sandbox.exited();
    sandbox = await new SandboxProcess(dataDir).start();
    chat = new WebChat(sandbox.url);
    const texts = (await chat.chat("partner", cashier.telegramId)).messages.map((m) => m.text ?? "");
    expect(texts.filter((t) => /✅ Начислено \d+ балл/.test(t))).toHaveLength(1);
    // The cashier, unsure whether it went through, enters the same check again: it is recognised, nothing is added.
    await chat.say("partner", cashier.telegramId, "/accrue", /Клиент: введите/);
    await chat.say("partner", cashier.telegramId, client.phone!, /Сумма чека/);
    await chat.say("partner", cashier.telegramId, "1000", /Номер чека/);
    await chat.say("partner", cashier.telegramId, "SANDBOX-1", /Начислить клиенту/);
    await chat.press("partner", cashier.telegramId, /Подтвердить/, /уже был проведён/);
    await sandbox.stop();
    sandbox = undefined;

    // The embedded database itself, opened after the sandbox stopped.
    const pg = await PGlite.create({ dataDir: join(dataDir, "postgres") });
    try {
      const { rows } = await pg.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ledger_entries l JOIN purchases p ON p.id = l.purchase_id WHERE l.kind = 'accrual' AND p.receipt_number = 'SANDBOX-1'`,
      );
      expect(rows[0]!.n).toBe(1);
    } finally {
      await pg.close();
    }
  }, 300_000);

  it("npm start -- --reset starts over from the demo data", async () => {
    const dataDir = newSandboxDataDir();
    sandbox = await new SandboxProcess(dataDir).start();
    let chat = new WebChat(sandbox.url);
    const created = await fetch(`${sandbox.url}/api/personas`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ role: "client" }) });
    const newcomer = (await created.json()) as { telegramId: number };
    await chat.say("client", newcomer.telegramId, "/start", /./);
    await sandbox.stop();

    sandbox = await new SandboxProcess(dataDir).start(["--reset"]);
    chat = new WebChat(sandbox.url);
    expect((await chat.state()).personas.map((p) => p.telegramId)).not.toContain(newcomer.telegramId);
    expect((await chat.chat("client", newcomer.telegramId)).messages).toEqual([]);
  }, 180_000);

  it("a second sandbox on the same data directory, or on a port in use, stops at once with one line saying why", async () => {
    const dataDir = newSandboxDataDir();
    sandbox = await new SandboxProcess(dataDir).start();
    await expect(new SandboxProcess(dataDir).start()).rejects.toThrow(/sandbox: another sandbox \(pid \d+\) is using/);
    // Not even --reset: it would delete the running one's database under it.
    await expect(new SandboxProcess(dataDir).start(["--reset"])).rejects.toThrow(/sandbox: another sandbox \(pid \d+\) is using/);
    expect(readdirSync(dataDir)).toEqual(expect.arrayContaining(["postgres", "state", "telegram", "app-secret"]));
    const port = new URL(sandbox.url).port;
    await expect(new SandboxProcess(newSandboxDataDir(), { SANDBOX_PORT: port }).start()).rejects.toThrow(new RegExp(`sandbox: port ${port} is in use; set SANDBOX_PORT`));
    // The first one was not disturbed.
    expect((await fetch(sandbox.url)).status).toBe(200);
  }, 120_000);
});
