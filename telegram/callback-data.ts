/**
 * Typed inline-button payloads. A button carries `prefix:field:field…`, checked to fit Telegram's 64 bytes;
 * `unpack` returns null for anything that does not match (a stale or forged button), so handlers answer politely.
 */
export function callbackData<const F extends readonly string[]>(prefix: string, fields: F) {
  type Values = { [K in F[number]]: string };
  const pattern = new RegExp(`^${prefix}${fields.map(() => ":([A-Za-z0-9_-]{1,40})").join("")}$`);
  return {
    pattern,
    pack(values: { [K in F[number]]: string | number }): string {
      const data = [prefix, ...fields.map((f) => String(values[f as F[number]]))].join(":");
      if (Buffer.byteLength(data) > 64) throw new Error(`callback data over 64 bytes: ${data}`);
      return data;
    },
    unpack(data: string | undefined): Values | null {
      const m = data ? pattern.exec(data) : null;
      if (!m) return null;
      return Object.fromEntries(fields.map((f, i) => [f, m[i + 1]!])) as Values;
    },
  };
}

export const asId = (s: string): number | null => (/^\d{1,15}$/.test(s) ? Number(s) : null);
