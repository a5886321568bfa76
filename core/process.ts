import { fileURLToPath } from "node:url";

/** True when `moduleUrl` is the file node was asked to run (not an import). */
export const isEntryPoint = (moduleUrl: string) => process.argv[1] !== undefined && fileURLToPath(moduleUrl) === process.argv[1];
