// STUB (issue 11): the interface is fixed; the helper who owns this file fills in the bodies.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Runtime } from "../runtime.js";

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Answers GET /healthz, /readyz and /metrics; returns false (and does nothing) for any other path. */
export function opsRoutes(_runtime: Pick<Runtime, "db" | "redis" | "logger">): (req: IncomingMessage, res: ServerResponse) => boolean {
  return () => false;
}

/**
 * A process started alone: an HTTP server on `port` (0: any free one) answering the ops routes, and passing every
 * other request to `fallback` (a bot's webhook) or 404.
 */
export async function startOpsServer(_options: { port: number; host?: string; runtime: Pick<Runtime, "db" | "redis" | "logger">; fallback?: NodeHandler }): Promise<{ url: string; close(): Promise<void> }> {
  throw new Error("not implemented yet");
}
