/** What a product process printed, read back: its pino JSON lines, and anything else (which should be nothing). */

/** What a process printed that is not a pino JSON line: raw stack traces, ioredis's "Unhandled error event". */
export const rawLines = (output: string) =>
  output
    .split("\n")
    .filter((l) => l.trim() !== "")
    .filter((l) => {
      try {
        JSON.parse(l);
        return false;
      } catch {
        return true;
      }
    });

/** The pino lines whose message matches `msg`. */
export const logLines = (output: string, msg: RegExp) =>
  output
    .split("\n")
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as { msg?: string; level?: number; [key: string]: unknown }];
      } catch {
        return [];
      }
    })
    .filter((l) => msg.test(l.msg ?? ""));
