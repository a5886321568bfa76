import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { sandboxHost } from "./settings.js";

export type EmbeddedPostgres = { url: string; close(): Promise<void> };

/**
 * Postgres without a Postgres server: PGlite (Postgres compiled to WebAssembly, in this process) keeps its files in
 * `dir` and is served on 127.0.0.1 by pglite-socket, so the product's own `postgres` driver, drizzle schema and SQL
 * talk to it exactly as to a real server. PGlite is one backend: the app must use a pool of one connection (the
 * socket server's multiplexer would otherwise interleave two connections' statements in one session).
 */
export async function startEmbeddedPostgres(dir: string): Promise<EmbeddedPostgres> {
  mkdirSync(dir, { recursive: true });
  const pglite = await PGlite.create({ dataDir: dir });
  const server = new PGLiteSocketServer({ db: pglite, host: sandboxHost, port: 0, maxConnections: 1 });
  await server.start();
  // "host:port", the port being the one the OS gave.
  const address = server.getServerConn();
  return {
    url: `postgres://postgres@${address}/postgres`,
    async close() {
      await server.stop();
      await pglite.close();
    },
  };
}
