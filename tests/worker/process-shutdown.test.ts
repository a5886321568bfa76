import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { shutdownDeadlineMs } from "../../core/shutdown.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** shutdown-child.ts as a real process, so its signals and exit are real. */
async function startChild(mode: "quick" | "hang") {
  const child = spawn(process.execPath, ["--import", "tsx", "tests/worker/shutdown-child.ts", mode], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  for (let i = 0; i < 600 && !output.includes('"ready"'); i++) await sleep(50);
  expect(output).toContain('"ready"');
  const lines = () => output.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { child, exited, lines };
}

describe("onShutdown: every process stops once, and within 10 s", () => {
  it("SIGTERM marks the process draining, runs the stop once (a second signal changes nothing) and exits 0", async () => {
    const { child, exited, lines } = await startChild("quick");
    child.kill("SIGTERM");
    await sleep(50);
    child.kill("SIGTERM");
    const [code] = await exited;
    expect(code).toBe(0);
    const began = lines().filter((l) => l.msg === "stop began");
    expect(began).toEqual([expect.objectContaining({ stops: 1, draining: true })]);
    expect(lines().some((l) => l.msg === "already shutting down" && l.signal === "SIGTERM")).toBe(true);
    expect(lines().at(-1)).toMatchObject({ msg: "stopped" });
  }, 45_000);

  it("SIGINT (Ctrl+C) stops it the same way", async () => {
    const { child, exited, lines } = await startChild("quick");
    child.kill("SIGINT");
    const [code] = await exited;
    expect(code).toBe(0);
    expect(lines().find((l) => l.msg === "shutting down")).toMatchObject({ signal: "SIGINT" });
  }, 45_000);

  it("a stop that hangs: the process exits 1 at the deadline, before 10 s, naming what was still pending", async () => {
    expect(shutdownDeadlineMs).toBeLessThan(10_000);
    const { child, exited, lines } = await startChild("hang");
    const since = Date.now();
    child.kill("SIGTERM");
    const [code] = await exited;
    const tookMs = Date.now() - since;
    expect(code).toBe(1);
    expect(tookMs).toBeGreaterThanOrEqual(shutdownDeadlineMs - 100);
    expect(tookMs).toBeLessThan(10_000);
    expect(lines().at(-1)).toMatchObject({ msg: "shutdown deadline passed; exiting with work still pending", pending: "a request nobody answers" });
  }, 45_000);
});
