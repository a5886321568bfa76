import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The units in systemd/, checked by systemd itself: `systemd-analyze verify` (syntax, dependencies, that ExecStart's
// binary exists) and `systemd-analyze security --offline=yes` (the exposure score of each service, from the file
// alone: no running systemd, no cashback user, no /opt/cashback needed), plus what the README and the processes
// rely on (ports, entry files, the target, what may be written).
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const systemdDir = join(root, "systemd");

type Run = { code: number; stdout: string; stderr: string };
function run(command: string, args: string[], cwd = root, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((done) => {
    execFile(command, args, { cwd, env, timeout: 60_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** A unit file as `Section.Key` → every value assigned (comments and blank lines dropped). */
function parseUnit(text: string): Map<string, string[]> {
  const values = new Map<string, string[]>();
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    const eq = line.indexOf("=");
    const key = `${section}.${line.slice(0, eq)}`;
    values.set(key, [...(values.get(key) ?? []), line.slice(eq + 1)]);
  }
  return values;
}

const processes = {
  client: { entry: "bots/client/main.ts", metricsPort: "9101" },
  partner: { entry: "bots/partner/main.ts", metricsPort: "9102" },
  admin: { entry: "bots/admin/main.ts", metricsPort: "9103" },
  worker: { entry: "worker/main.ts", metricsPort: "9104" },
  web: { entry: "web/server/main.ts", metricsPort: undefined },
} as const;
type ProcessName = keyof typeof processes;
const processNames = Object.keys(processes) as ProcessName[];

const hardening: Record<string, string> = {
  NoNewPrivileges: "yes",
  ProtectSystem: "strict",
  ProtectHome: "yes",
  PrivateTmp: "yes",
  PrivateDevices: "yes",
  ProtectKernelTunables: "yes",
  ProtectKernelModules: "yes",
  ProtectKernelLogs: "yes",
  ProtectControlGroups: "yes",
  ProtectClock: "yes",
  ProtectHostname: "yes",
  RestrictAddressFamilies: "AF_INET AF_INET6 AF_UNIX",
  RestrictNamespaces: "yes",
  RestrictRealtime: "yes",
  RestrictSUIDSGID: "yes",
  LockPersonality: "yes",
  SystemCallArchitectures: "native",
  CapabilityBoundingSet: "",
  AmbientCapabilities: "",
  UMask: "0077",
};

const units = new Map<string, Map<string, string[]>>();
const one = (unit: string, key: string) => {
  const values = units.get(unit)!.get(key);
  expect(values, `${unit}: ${key}`).toHaveLength(1);
  return values![0]!;
};
let verifyDir: string;

beforeAll(async () => {
  for (const name of await readdir(systemdDir)) {
    if (/\.(service|target|timer)$/.test(name)) units.set(name, parseUnit(await readFile(join(systemdDir, name), "utf8")));
  }
  // verify checks that ExecStart's binary exists. The units name /usr/bin/node (Debian's nodejs package, as the
  // README installs it); the copies verified here name the node running this test, wherever it is installed.
  verifyDir = await mkdtemp(join(tmpdir(), "cashback-units-"));
  for (const name of units.keys()) {
    const text = await readFile(join(systemdDir, name), "utf8");
    await writeFile(join(verifyDir, name), text.replaceAll("ExecStart=/usr/bin/node ", `ExecStart=${process.execPath} `));
  }
});

afterAll(async () => {
  await rm(verifyDir, { recursive: true, force: true });
});

describe("systemd units", () => {
  it("one service per process, a target grouping them, and the nightly backup's service and timer", () => {
    expect([...units.keys()].sort()).toEqual(
      [...processNames.map((p) => `cashback-${p}.service`), "cashback.target", "cashback-backup.service", "cashback-backup.timer"].sort(),
    );
  });

  it("systemd-analyze verify finds nothing wrong in any of them", async () => {
    const files = [...units.keys()].map((name) => join(verifyDir, name));
    const result = await run("systemd-analyze", ["verify", ...files]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("systemd-analyze security rates every service's exposure under 3 (and a bare unit high, so the reading works)", async () => {
    const exposure = async (file: string) => {
      const result = await run("systemd-analyze", ["security", "--offline=yes", file]);
      const level = /Overall exposure level for \S+: (\d+(?:\.\d+)?)/.exec(result.stdout);
      expect(level, result.stdout + result.stderr).not.toBeNull();
      return Number(level![1]);
    };
    const scores: Record<string, number> = {};
    for (const name of units.keys()) if (name.endsWith(".service")) scores[name] = await exposure(join(verifyDir, name));
    for (const [name, score] of Object.entries(scores)) expect(score, name).toBeLessThan(3);

    const bare = join(verifyDir, "bare.service");
    await writeFile(bare, `[Service]\nExecStart=${process.execPath} x.js\n`);
    try {
      expect(await exposure(bare)).toBeGreaterThan(9);
    } finally {
      await rm(bare);
    }
  });

  it.each(processNames)("cashback-%s runs node itself on the entry npm's start script runs, from /opt/cashback with the shared env file", async (name) => {
    const unit = `cashback-${name}.service`;
    const { entry } = processes[name];
    expect(one(unit, "Service.ExecStart")).toBe(`/usr/bin/node --import tsx ${entry}`);
    expect(existsSync(join(root, entry))).toBe(true);
    const scripts = (JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    expect(scripts[`start:${name}`]).toBe(`tsx ${entry}`);
    expect(one(unit, "Service.WorkingDirectory")).toBe("/opt/cashback");
    expect(one(unit, "Service.EnvironmentFile")).toBe("/etc/cashback/cashback.env");
    expect(one(unit, "Service.User")).toBe("cashback");
    expect(one(unit, "Service.Restart")).toBe("on-failure");
    // The processes exit within 10 s of SIGTERM; systemd waits 15 before it kills.
    expect(one(unit, "Service.TimeoutStopSec")).toBe("15");
    expect(one(unit, "Unit.PartOf")).toBe("cashback.target");
    expect(one(unit, "Install.WantedBy")).toBe("cashback.target");
  });

  it.each(processNames)("cashback-%s sets its own METRICS_PORT (9101–9104; the web server serves them on PORT)", (name) => {
    const unit = `cashback-${name}.service`;
    const environment = units.get(unit)!.get("Service.Environment") ?? [];
    const { metricsPort } = processes[name];
    expect(environment).toEqual(metricsPort ? [`METRICS_PORT=${metricsPort}`] : []);
  });

  it("the env file example leaves METRICS_PORT and BACKUP_DIR to the units (a value there would override theirs)", async () => {
    const example = await readFile(join(systemdDir, "cashback.env.example"), "utf8");
    const assigned = example.split("\n").filter((l) => /^\s*[A-Z_]+=/.test(l)).map((l) => l.split("=")[0]!.trim());
    expect(assigned).not.toContain("METRICS_PORT");
    expect(assigned).not.toContain("BACKUP_DIR");
    expect(assigned).toEqual(expect.arrayContaining(["DATABASE_URL", "REDIS_URL", "APP_SECRET", "PORT"]));
    expect(example).toMatch(/^# ?WEBHOOK_URL=https:\/\//m);
  });

  it.each([...processNames.map((p) => `cashback-${p}.service`), "cashback-backup.service"])("%s is hardened; it may write only where it must", (unit) => {
    for (const [key, value] of Object.entries(hardening)) expect(one(unit, `Service.${key}`), `${unit}: ${key}`).toBe(value);
    expect(units.get(unit)!.get("Service.SystemCallFilter")).toContain("@system-service");
    expect(one(unit, "Service.MemoryMax")).toMatch(/^\d+[MG]$/);
    // V8's JIT needs writable and executable memory: with MemoryDenyWriteExecute node would not start.
    expect(units.get(unit)!.has("Service.MemoryDenyWriteExecute")).toBe(false);
    const writable = units.get(unit)!.get("Service.ReadWritePaths") ?? [];
    expect(writable).toEqual(unit === "cashback-backup.service" ? ["/var/backups/cashback"] : []);
  });

  it("the backup runs every night (Persistent: a night missed while off is made up) into /var/backups/cashback", async () => {
    expect(one("cashback-backup.timer", "Timer.OnCalendar")).toBe("*-*-* 02:30:00 Europe/Moscow");
    expect(one("cashback-backup.timer", "Timer.Persistent")).toBe("true");
    expect(one("cashback-backup.timer", "Install.WantedBy")).toBe("timers.target");
    // 02:30 in Moscow (UTC+3 all year) is 23:30 UTC.
    const calendar = await run("systemd-analyze", ["calendar", "*-*-* 02:30:00 Europe/Moscow"], root, { ...process.env, TZ: "UTC" });
    expect(calendar.code).toBe(0);
    expect(calendar.stdout).toMatch(/Next elapse: \w{3} \d{4}-\d\d-\d\d 23:30:00 UTC/);
    expect(one("cashback-backup.service", "Service.Type")).toBe("oneshot");
    expect(one("cashback-backup.service", "Service.ExecStart")).toBe("/usr/bin/node --import tsx ops/backup.ts");
    expect(one("cashback-backup.service", "Service.Environment")).toBe("BACKUP_DIR=/var/backups/cashback");
    expect(one("cashback-backup.service", "Service.EnvironmentFile")).toBe("/etc/cashback/cashback.env");
  });

  it("the target starts with the machine; the units come with it", () => {
    expect(one("cashback.target", "Install.WantedBy")).toBe("multi-user.target");
  });

  it("cashback-web may write nothing: once ops/build-pages.ts has built the pages, they are fresh (a second run builds nothing)", async () => {
    const stamps = () => Promise.all(["mini-app", "dashboard"].map((page) => readFile(join(root, "web/ui", page, "dist/.built-at"), "utf8")));
    const build = () => run(process.execPath, ["--import", "tsx", "ops/build-pages.ts"]);
    expect((await build()).code).toBe(0);
    const built = await stamps();
    const again = await build();
    expect(again).toMatchObject({ code: 0, stderr: "" });
    expect(await stamps()).toEqual(built);
  });

  it("`node --import tsx` finds tsx in the working directory's node_modules (so WorkingDirectory=/opt/cashback is enough)", async () => {
    const inRepo = await run(process.execPath, ["--import", "tsx", "--eval", "process.stdout.write('tsx loaded')"], root);
    expect(inRepo).toMatchObject({ code: 0, stdout: "tsx loaded" });
    const elsewhere = await run(process.execPath, ["--import", "tsx", "--eval", "0"], tmpdir());
    expect(elsewhere.code).not.toBe(0);
    expect(elsewhere.stderr).toMatch(/Cannot find package 'tsx'/);
  });
});
