import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import type { Logger } from "../core/logger.js";

/**
 * The sandbox's Redis: a small in-process server speaking the Redis protocol (RESP2), so the product keeps its
 * ioredis client, @grammyjs/storage-redis and @grammyjs/ratelimiter unchanged and only gets another REDIS_URL.
 * It knows the commands the product (and ioredis's handshake) sends — strings, sets, expiry, SCAN, MULTI/EXEC —
 * and nothing more; anything else is answered "-ERR unknown command". Values are text (the product stores no bytes).
 *
 * Durability: every change is appended to `<dir>/state.aof` as JSON (one line per batch of commands answered
 * together), written with writeSync before the replies leave. The OS page cache outlives a killed process, so a SIGKILL right after a reply loses
 * nothing (no fsync: surviving a power cut is not the sandbox's job). Expiry times are stored absolute, so a
 * restart keeps TTLs right. At start the file is replayed (a torn last line from a kill mid-write is ignored),
 * expired keys are dropped, and the file is rewritten compacted; it is compacted again when it outgrows the data.
 */

export type StateServerOptions = { dir: string; host?: string; port?: number; logger?: Logger };
export type StateServer = { url: string; port: number; close(): Promise<void> };

type Entry = { type: "string"; value: string; exp: number | null; seq: number } | { type: "set"; value: Set<string>; exp: number | null; seq: number };
/** A change as journaled in the append-only file (and replayed from it). `exp` is absolute ms since the epoch. */
type Op =
  | { op: "set"; db: number; k: string; v: string; exp: number | null }
  | { op: "del"; db: number; k: string }
  | { op: "sadd" | "srem"; db: number; k: string; m: string[] }
  | { op: "expire"; db: number; k: string; exp: number | null }
  | { op: "flushdb"; db: number }
  | { op: "batch"; ops: Op[] };

/** What a command answers; encoded to RESP2 by {@link encode}. A JS string is a bulk string. */
type Reply = string | number | null | Simple | ReplyError | Reply[];
class Simple {
  constructor(readonly text: string) {}
}
class ReplyError extends Error {}
const OK = new Simple("OK");
const wrongType = () => new ReplyError("WRONGTYPE Operation against a key holding the wrong kind of value");
const notInteger = () => new ReplyError("ERR value is not an integer or out of range");
const syntaxError = () => new ReplyError("ERR syntax error");

const databases = 16;
const sweepEveryMs = 1_000;
/** Compaction when the file is this many times the live data and above {@link compactMinBytes}. */
const compactGrowthFactor = 4;
const compactMinBytes = 1024 * 1024;

/** The keyspaces and every change to them; mutations go through {@link Store.apply} so they are journaled. */
class Store {
  private readonly dbs = Array.from({ length: databases }, () => new Map<string, Entry>());
  /** Insertion counter: SCAN's cursor is the `seq` to resume from, so a key present throughout is never skipped. */
  private nextSeq = 1;
  private journal: Op[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** The live entry, or undefined (an expired one is deleted on the way; expiry needs no journal line). */
  get(db: number, key: string): Entry | undefined {
    const keys = this.dbs[db]!;
    const entry = keys.get(key);
    if (entry && entry.exp !== null && entry.exp <= this.now()) {
      keys.delete(key);
      return undefined;
    }
    return entry;
  }

  string(db: number, key: string): string | null {
    const entry = this.get(db, key);
    if (entry && entry.type !== "string") throw wrongType();
    return entry?.value ?? null;
  }

  set(db: number, key: string): Set<string> | null {
    const entry = this.get(db, key);
    if (entry && entry.type !== "set") throw wrongType();
    return entry?.value ?? null;
  }

  keys(db: number): Map<string, Entry> {
    return this.dbs[db]!;
  }

  apply(op: Op, journal = true): void {
    if (journal) this.journal.push(op);
    if (op.op === "batch") return op.ops.forEach((o) => this.apply(o, false));
    if (op.op === "flushdb") return this.dbs[op.db]!.clear();
    const keys = this.dbs[op.db]!;
    const old = keys.get(op.k);
    const seq = old?.seq ?? this.nextSeq++;
    if (op.op === "set") keys.set(op.k, { type: "string", value: op.v, exp: op.exp, seq });
    else if (op.op === "del") keys.delete(op.k);
    else if (op.op === "expire") {
      if (old) old.exp = op.exp;
    } else if (op.op === "sadd") {
      const entry = old?.type === "set" ? old : { type: "set" as const, value: new Set<string>(), exp: null, seq };
      for (const m of op.m) entry.value.add(m);
      keys.set(op.k, entry);
    } else if (old?.type === "set") {
      for (const m of op.m) old.value.delete(m);
      if (old.value.size === 0) keys.delete(op.k);
    }
  }

  /**
   * The changes since the last call — the commands answered together, a MULTI among them — as one journal line,
   * so on disk they are all there or (a torn last line) none of them.
   */
  takeJournalLine(): string | null {
    const ops = this.journal;
    this.journal = [];
    if (ops.length === 0) return null;
    return JSON.stringify(ops.length === 1 ? ops[0] : { op: "batch", ops }) + "\n";
  }

  /** Drops every expired key (the periodic sweep; lookups also drop them lazily). */
  sweep(): void {
    const now = this.now();
    for (const keys of this.dbs) for (const [k, e] of keys) if (e.exp !== null && e.exp <= now) keys.delete(k);
  }

  /** The live data as journal lines: what a compacted file holds. */
  snapshot(): string {
    this.sweep();
    const lines: string[] = [];
    this.dbs.forEach((keys, db) => {
      for (const [k, e] of keys) {
        const op: Op = e.type === "string" ? { op: "set", db, k, v: e.value, exp: e.exp } : { op: "sadd", db, k, m: [...e.value] };
        lines.push(JSON.stringify(op));
        if (e.type === "set" && e.exp !== null) lines.push(JSON.stringify({ op: "expire", db, k, exp: e.exp }));
      }
    });
    return lines.length ? lines.join("\n") + "\n" : "";
  }
}

/** The append-only file: replayed into the store at start, then appended to synchronously. */
class AppendOnlyFile {
  private fd: number;
  private size = 0;
  private liveSizeAtCompaction = 0;
  /** Lines not yet on disk (only after a failed write: they are retried before anything newer). */
  private unwritten = "";

  constructor(
    private readonly path: string,
    private readonly store: Store,
    private readonly logger?: Logger,
  ) {
    if (existsSync(path)) this.replay(readFileSync(path, "utf8"));
    this.fd = this.compact(this.store.snapshot(), null);
  }

  private replay(text: string): void {
    const lines = text.split("\n");
    let skipped = 0;
    lines.forEach((line, i) => {
      if (line.trim() === "") return;
      try {
        this.store.apply(JSON.parse(line) as Op, false);
      } catch {
        // The last line may be torn (killed mid-write): expected. Anything else unreadable is reported.
        if (i !== lines.length - 1) skipped++;
      }
    });
    if (skipped) this.logger?.warn({ path: this.path, skipped }, "state file: unreadable lines skipped");
  }

  /** Rewrites the file as the live data (temp file + rename, so a kill during it leaves the old file whole). */
  private compact(data: string, oldFd: number | null): number {
    const temp = `${this.path}.tmp`;
    const tempFd = openSync(temp, "w");
    try {
      writeAll(tempFd, data);
      fsyncSync(tempFd); // rare and cheap; keeps the rename from ever exposing an empty file
    } finally {
      closeSync(tempFd);
    }
    renameSync(temp, this.path);
    const fd = openSync(this.path, "a");
    if (oldFd !== null) closeSync(oldFd);
    this.size = this.liveSizeAtCompaction = Buffer.byteLength(data);
    return fd;
  }

  /** Appends the store's pending changes. Throws when the disk refuses: then nothing may be acknowledged. */
  flush(): void {
    const line = this.store.takeJournalLine();
    if (line) this.unwritten += line;
    if (!this.unwritten) return;
    const data = this.unwritten;
    const written = writeAll(this.fd, data, () => {
      // A partial write leaves a fragment: a newline makes it a line of its own, skipped on replay.
      this.unwritten = "\n" + data;
    });
    this.unwritten = "";
    this.size += written;
    if (this.size > compactMinBytes && this.size > compactGrowthFactor * this.liveSizeAtCompaction) {
      try {
        const live = this.store.snapshot();
        if (this.size > compactGrowthFactor * Buffer.byteLength(live)) this.fd = this.compact(live, this.fd);
        else this.liveSizeAtCompaction = Buffer.byteLength(live); // grown with the data: check again after another 4×
      } catch (err) {
        // The appended lines are safe; a later write tries again.
        this.logger?.warn({ err, path: this.path }, "state file: compaction failed");
      }
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}

function writeAll(fd: number, text: string, onPartial?: () => void): number {
  const bytes = Buffer.from(text);
  let offset = 0;
  try {
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
  } catch (err) {
    if (offset > 0) onPartial?.();
    throw err;
  }
  return offset;
}

type Session = { db: number; queued: string[][] | null; queueFailed: boolean };
type Command = { arity: number; run(s: Session, args: string[]): Reply };

const int = (text: string | undefined): number => {
  if (text === undefined || !/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw notInteger();
  return Number(text);
};

/** Redis's glob (`*`, `?`, `[abc]`, `[^a-z]`, `\x`) as an anchored RegExp. */
export function globToRegExp(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") source += "[\\s\\S]*";
    else if (c === "?") source += "[\\s\\S]";
    else if (c === "\\" && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]!);
    else if (c === "[" && pattern.indexOf("]", i + 2) !== -1) {
      const end = pattern.indexOf("]", i + 2);
      let body = pattern.slice(i + 1, end);
      const negated = body.startsWith("^");
      if (negated) body = body.slice(1);
      source += `[${negated ? "^" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
      i = end;
    } else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`);
}
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

function commands(store: Store, now: () => number): Record<string, Command> {
  const ttl = (s: Session, key: string, unitMs: number): number => {
    const entry = store.get(s.db, key);
    if (!entry) return -2;
    if (entry.exp === null) return -1;
    return unitMs === 1 ? entry.exp - now() : Math.round((entry.exp - now()) / 1000);
  };
  const expire = (s: Session, key: string, ms: number): number => {
    if (!store.get(s.db, key)) return 0;
    // An expiry in the past deletes the key, as in Redis.
    store.apply(ms <= 0 ? { op: "del", db: s.db, k: key } : { op: "expire", db: s.db, k: key, exp: now() + ms });
    return 1;
  };
  const setMembers = (s: Session, op: "sadd" | "srem", key: string, members: string[]): number => {
    const current = store.set(s.db, key) ?? new Set<string>();
    const changed = [...new Set(members)].filter((m) => current.has(m) === (op === "srem"));
    if (changed.length) store.apply({ op, db: s.db, k: key, m: changed });
    return changed.length;
  };
  // ioredis's ready check reads `loading:0` from here.
  const info = ["# Server", "redis_version:7.0.0", "redis_mode:standalone", "# Persistence", "loading:0", "aof_enabled:1", ""].join("\r\n");

  return {
    ping: { arity: -1, run: (_, [msg]) => (msg === undefined ? new Simple("PONG") : msg) },
    info: { arity: -1, run: () => info },
    // ioredis asks for RESP3 first and falls back to RESP2 on this answer.
    hello: { arity: -1, run: () => new ReplyError("NOPROTO this server speaks RESP2 only") },
    client: { arity: -2, run: () => OK }, // SETNAME, SETINFO: nothing to keep
    select: {
      arity: 2,
      run: (s, [db]) => {
        const n = int(db);
        if (n < 0 || n >= databases) throw new ReplyError("ERR DB index is out of range");
        s.db = n;
        return OK;
      },
    },
    get: { arity: 2, run: (s, [key]) => store.string(s.db, key!) },
    getdel: {
      arity: 2,
      run: (s, [key]) => {
        const value = store.string(s.db, key!);
        if (value !== null) store.apply({ op: "del", db: s.db, k: key! });
        return value;
      },
    },
    set: {
      arity: -3,
      run: (s, [key, value, ...options]) => {
        let exp: number | null = null;
        let keepTtl = false, nx = false, xx = false, get = false;
        for (let i = 0; i < options.length; i++) {
          const option = options[i]!.toUpperCase();
          if (option === "NX") nx = true;
          else if (option === "XX") xx = true;
          else if (option === "GET") get = true;
          else if (option === "KEEPTTL") keepTtl = true;
          else if (["EX", "PX", "EXAT", "PXAT"].includes(option) && exp === null) {
            const n = int(options[++i]);
            if (n <= 0) throw new ReplyError("ERR invalid expire time in 'set' command");
            exp = option === "EX" ? now() + n * 1000 : option === "PX" ? now() + n : option === "EXAT" ? n * 1000 : n;
          } else throw syntaxError();
        }
        if ((nx && xx) || (keepTtl && exp !== null)) throw syntaxError();
        const old = store.get(s.db, key!);
        if (get && old && old.type !== "string") throw wrongType();
        const previous = get ? ((old?.value as string | undefined) ?? null) : OK;
        if ((nx && old) || (xx && !old)) return get ? previous : null;
        store.apply({ op: "set", db: s.db, k: key!, v: value!, exp: keepTtl ? (old?.exp ?? null) : exp });
        return previous;
      },
    },
    del: {
      arity: -2,
      run: (s, keys) => {
        const present = [...new Set(keys)].filter((k) => store.get(s.db, k));
        for (const k of present) store.apply({ op: "del", db: s.db, k });
        return present.length;
      },
    },
    exists: { arity: -2, run: (s, keys) => keys.filter((k) => store.get(s.db, k)).length },
    type: { arity: 2, run: (s, [key]) => new Simple(store.get(s.db, key!)?.type ?? "none") },
    expire: { arity: 3, run: (s, [key, seconds]) => expire(s, key!, int(seconds) * 1000) },
    pexpire: { arity: 3, run: (s, [key, ms]) => expire(s, key!, int(ms)) },
    ttl: { arity: 2, run: (s, [key]) => ttl(s, key!, 1000) },
    pttl: { arity: 2, run: (s, [key]) => ttl(s, key!, 1) },
    incr: {
      arity: 2,
      run: (s, [key]) => {
        const next = int(store.string(s.db, key!) ?? "0") + 1;
        store.apply({ op: "set", db: s.db, k: key!, v: String(next), exp: store.get(s.db, key!)?.exp ?? null });
        return next;
      },
    },
    sadd: { arity: -3, run: (s, [key, ...members]) => setMembers(s, "sadd", key!, members) },
    srem: { arity: -3, run: (s, [key, ...members]) => setMembers(s, "srem", key!, members) },
    sismember: { arity: 3, run: (s, [key, member]) => (store.set(s.db, key!)?.has(member!) ? 1 : 0) },
    smembers: { arity: 2, run: (s, [key]) => [...(store.set(s.db, key!) ?? [])] },
    scan: {
      arity: -2,
      run: (s, [cursor, ...options]) => {
        const from = int(cursor);
        let match: RegExp | null = null;
        let count = 10;
        for (let i = 0; i < options.length; i += 2) {
          const option = options[i]!.toUpperCase();
          if (option === "MATCH" && options[i + 1] !== undefined) match = globToRegExp(options[i + 1]!);
          else if (option === "COUNT" && int(options[i + 1]) > 0) count = int(options[i + 1]);
          else throw syntaxError();
        }
        const found: string[] = [];
        let examined = 0;
        for (const [key, entry] of store.keys(s.db)) {
          if (entry.seq < from) continue;
          if (examined++ === count) return [String(entry.seq), found];
          if (store.get(s.db, key) && (!match || match.test(key))) found.push(key);
        }
        return ["0", found];
      },
    },
    keys: {
      arity: 2,
      run: (s, [pattern]) => {
        const match = globToRegExp(pattern!);
        return [...store.keys(s.db).keys()].filter((k) => match.test(k) && store.get(s.db, k));
      },
    },
    dbsize: { arity: 1, run: (s) => (store.sweep(), store.keys(s.db).size) },
    flushdb: { arity: -1, run: (s) => (store.apply({ op: "flushdb", db: s.db }), OK) },
  };
}

/** A RESP2 reply, as bytes on the wire. */
function encode(reply: Reply): string {
  if (reply === null) return "$-1\r\n";
  if (typeof reply === "number") return `:${reply}\r\n`;
  if (typeof reply === "string") return `$${Buffer.byteLength(reply)}\r\n${reply}\r\n`;
  if (reply instanceof Simple) return `+${reply.text}\r\n`;
  if (reply instanceof ReplyError) return `-${reply.message.replace(/[\r\n]+/g, " ")}\r\n`;
  return `*${reply.length}\r\n${reply.map(encode).join("")}`;
}

/** Takes one command (an array of bulk strings, as clients send) off the front of `buffer`: [args, bytes used], or null while incomplete. */
function parseCommand(buffer: Buffer): [string[], number] | null {
  const lineEnd = (from: number) => buffer.indexOf("\r\n", from);
  if (buffer[0] !== 0x2a /* '*' */) throw new ReplyError("ERR Protocol error: expected '*'");
  let end = lineEnd(0);
  if (end === -1) return null;
  const count = Number(buffer.toString("latin1", 1, end));
  if (!Number.isInteger(count)) throw new ReplyError("ERR Protocol error: invalid multibulk length");
  let offset = end + 2;
  const args: string[] = [];
  for (let i = 0; i < count; i++) {
    end = lineEnd(offset);
    if (end === -1) return null;
    if (buffer[offset] !== 0x24 /* '$' */) throw new ReplyError("ERR Protocol error: expected '$'");
    const length = Number(buffer.toString("latin1", offset + 1, end));
    if (!Number.isInteger(length) || length < 0) throw new ReplyError("ERR Protocol error: invalid bulk length");
    if (buffer.length < end + 2 + length + 2) return null;
    args.push(buffer.toString("utf8", end + 2, end + 2 + length));
    offset = end + 2 + length + 2;
  }
  return [args, offset];
}

export async function startStateServer(options: StateServerOptions): Promise<StateServer> {
  const { dir, host = "127.0.0.1", port = 0, logger } = options;
  mkdirSync(dir, { recursive: true });
  const now = Date.now;
  const store = new Store(now);
  const aof = new AppendOnlyFile(join(dir, "state.aof"), store, logger);
  const table = commands(store, now);
  const sockets = new Set<Socket>();

  /** One command in a session: transactions are queued here and run at EXEC with nothing in between. */
  const execute = (s: Session, args: string[]): Reply => {
    const name = (args[0] ?? "").toLowerCase();
    const command = table[name];
    try {
      if (name === "multi") {
        if (s.queued) throw new ReplyError("ERR MULTI calls can not be nested");
        s.queued = [];
        s.queueFailed = false;
        return OK;
      }
      if (name === "discard" || name === "exec") {
        const queued = s.queued;
        if (!queued) throw new ReplyError(`ERR ${name.toUpperCase()} without MULTI`);
        s.queued = null;
        if (name === "discard") return OK;
        if (s.queueFailed) throw new ReplyError("EXECABORT Transaction discarded because of previous errors.");
        return queued.map((queuedArgs) => execute(s, queuedArgs));
      }
      if (!command) throw new ReplyError(`ERR unknown command '${args[0] ?? ""}'`);
      if (command.arity > 0 ? args.length !== command.arity : args.length < -command.arity) throw new ReplyError(`ERR wrong number of arguments for '${name}' command`);
      if (s.queued) {
        s.queued.push(args);
        return new Simple("QUEUED");
      }
      return command.run(s, args.slice(1));
    } catch (err) {
      if (s.queued && name !== "exec") s.queueFailed = true;
      if (err instanceof ReplyError) return err;
      logger?.error({ err, command: name }, "state server: command failed");
      return new ReplyError("ERR internal error");
    }
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    const session: Session = { db: 0, queued: null, queueFailed: false };
    let pending = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let out = "";
      let quit = false;
      while (pending.length && !quit) {
        let parsed: [string[], number] | null;
        try {
          parsed = parseCommand(pending);
        } catch (err) {
          out += encode(err as ReplyError);
          quit = true; // the stream cannot be resynchronised after a protocol error
          break;
        }
        if (!parsed) break;
        const [args, used] = parsed;
        pending = pending.subarray(used);
        if (args.length === 0) continue;
        quit = args[0]!.toLowerCase() === "quit";
        out += encode(quit ? OK : execute(session, args));
      }
      try {
        aof.flush(); // before the replies leave: what a client was told is on disk
      } catch (err) {
        logger?.error({ err }, "state server: cannot write the state file; closing the connection unanswered");
        socket.destroy();
        return;
      }
      if (out) socket.write(out);
      if (quit) socket.end();
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  }).catch((err: unknown) => {
    aof.close();
    throw err;
  });
  const sweeper = setInterval(() => store.sweep(), sweepEveryMs);
  sweeper.unref();
  const address = server.address();
  const boundPort = typeof address === "object" && address ? address.port : port;
  logger?.info({ dir, port: boundPort }, "state server listening");

  let closed = false;
  return {
    url: `redis://${host}:${boundPort}`,
    port: boundPort,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweeper);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      aof.close();
    },
  };
}
