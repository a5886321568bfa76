import type { Logger } from "../../core/logger.js";

/** About this much text goes out per chunk: rows are small, and one write per row would cost more than the query. */
const chunkChars = 64 * 1024;

/** Response headers of a CSV download named `name` (ASCII: the name is built from fixed words and dates). */
export const csvHeaders = (name: string) => ({
  "content-type": "text/csv; charset=utf-8",
  "content-disposition": `attachment; filename="${name}"`,
  "cache-control": "no-store",
});

/** A download nobody reads for this long is ended: its cursor holds a database connection of its own. */
export const csvStallTimeoutMs = 60_000;

/**
 * A byte stream pulling from `source` only as fast as the client reads (the stream asks for more when its queue
 * drains), so a million rows pass through in constant memory. A download cancelled half-way ends the source (its
 * cursor is closed by the `finally` of the generator); a failure half-way is logged and breaks the download (the
 * file is visibly cut, never silently short: the status line went out before the first row); a reader that stops
 * reading for `stallMs` is cut off the same way. `onEnd` runs once, however the download ends.
 */
export function csvStream(source: AsyncIterable<string>, logger: Logger, options: { onEnd?: () => void; stallMs?: number } = {}): ReadableStream<Uint8Array> {
  const rows = source[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  let stallTimer: NodeJS.Timeout | undefined;
  let ended = false;
  const end = () => {
    clearTimeout(stallTimer);
    if (ended) return;
    ended = true;
    options.onEnd?.();
  };
  const watchForStall = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => {
      logger.warn({ stalledMs: options.stallMs ?? csvStallTimeoutMs }, "CSV download not read any more: ended");
      void rows.return?.();
      controller.error(new Error("the download stopped being read"));
      end();
    }, options.stallMs ?? csvStallTimeoutMs);
    stallTimer.unref();
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        watchForStall(controller);
      },
      async pull(controller) {
        clearTimeout(stallTimer);
        try {
          let chunk = "";
          while (chunk.length < chunkChars) {
            const next = await rows.next();
            if (next.done) {
              if (chunk) controller.enqueue(encoder.encode(chunk));
              controller.close();
              return end();
            }
            chunk += next.value;
          }
          controller.enqueue(encoder.encode(chunk));
          watchForStall(controller);
        } catch (err) {
          logger.error({ err }, "CSV export failed half-way");
          controller.error(err);
          end();
        }
      },
      async cancel() {
        end();
        await rows.return?.();
      },
    },
    { highWaterMark: 1 },
  );
}
