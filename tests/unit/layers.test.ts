import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Which folder may import which, read from the source itself: data flows bots/worker → telegram → core → db,
// and no process reaches into another's folder (README, "Code map").
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const botFolders = ["bots/client", "bots/partner", "bots/admin"];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** Every relative module a file imports (static, dynamic, type-only or re-exported), as a path from the repository root. */
function importsOf(file: string, source = readFileSync(join(root, file), "utf8")): string[] {
  const specifiers = [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g)].map((m) => m[1]!);
  return specifiers.filter((s) => s.startsWith(".")).map((s) => relative(root, resolve(root, dirname(file), s)).replaceAll("\\", "/"));
}

const within = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);

/** `file: import` for each import from `from` into one of `forbidden`. */
function violations(from: string, forbidden: readonly string[]): string[] {
  return sourceFiles(from).flatMap((file) => importsOf(file).filter((target) => forbidden.some((f) => within(target, f))).map((target) => `${file} → ${target}`));
}

describe("layers", () => {
  it("the import reader sees static, type-only, re-exported and dynamic imports, and resolves them from the file's folder", () => {
    const source = [
      'import { a } from "../shared/x.js";',
      'import type { B } from "../../core/y.js";',
      'export { c } from "./z.js";',
      'const d = await import("../../db/client.js");',
      'import "grammy";',
    ].join("\n");
    expect(importsOf("bots/client/bot.ts", source)).toEqual(["bots/shared/x.js", "core/y.js", "bots/client/z.js", "db/client.js"]);
  });

  it("the worker imports nothing from the bots' folders", () => {
    expect(violations("worker", ["bots"])).toEqual([]);
  });

  it("db imports nothing from core, telegram, bots, worker, web, app or sandbox", () => {
    expect(violations("db", ["core", "telegram", "bots", "worker", "web", "app", "sandbox"])).toEqual([]);
  });

  it("core imports nothing from telegram, bots, worker, web, app or sandbox", () => {
    expect(violations("core", ["telegram", "bots", "worker", "web", "app", "sandbox"])).toEqual([]);
  });

  it("what bots and worker share (telegram/) imports neither of them, nor web/, app/ or the sandbox", () => {
    expect(violations("telegram", ["bots", "worker", "web", "app", "sandbox"])).toEqual([]);
  });

  it("the web server imports nothing from the bots, the worker, app/ or the sandbox; bots and worker nothing from web/", () => {
    expect(violations("web", ["bots", "worker", "app", "sandbox"])).toEqual([]);
    expect(violations("bots", ["web"])).toEqual([]);
    expect(violations("worker", ["web"])).toEqual([]);
  });

  it("the pages (web/ui) take only types from outside web/ui: no server, core or database code in a browser bundle", () => {
    const valueImports = (file: string) =>
      [...readFileSync(join(root, file), "utf8").matchAll(/^\s*(?:import|export)\s+(?!type\b)[^;]*?from\s*["']([^"']+)["']/gm)]
        .map((m) => m[1]!)
        .filter((s) => s.startsWith("."))
        .map((s) => relative(root, resolve(root, dirname(file), s)).replaceAll("\\", "/"));
    // The pages' Vite configs run in Node at build time, not in the page.
    const pageFiles = sourceFiles("web/ui").filter((file) => !file.endsWith(".config.ts"));
    const outside = pageFiles.flatMap((file) => valueImports(file).filter((target) => !within(target, "web/ui")).map((target) => `${file} → ${target}`));
    expect(outside).toEqual([]);
  });

  it("the operator's scripts (ops/: backup, restore, page build) use core, db and web's page build, never a process's code", () => {
    expect(violations("ops", ["bots", "worker", "app", "sandbox", "web/server", "telegram"])).toEqual([]);
  });

  it.each(botFolders)("%s imports nothing from another bot's folder", (bot) => {
    expect(violations(bot, botFolders.filter((other) => other !== bot))).toEqual([]);
  });
});
