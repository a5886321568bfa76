/**
 * What must never appear in a log line: a phone in any form it was seen in logs (+7916…, 8 916 …, bare digits), a
 * bot token, or a Mini App's initData. Shared by the log tests and the e2e harness, which greps every process's output.
 */
export const secretPatterns = [/(?<!\d)(?:\+7|8|7)?[\s(-]*9\d\d[\s)-]*\d{3}[\s-]*\d\d[\s-]*\d\d(?!\d)/, /\d+:[A-Za-z0-9_-]{30,}/, /auth_date=|user=%7B/];

/** Every secret-looking string in `text` (empty: none). */
export const secretsIn = (text: string): string[] => secretPatterns.flatMap((re) => text.match(new RegExp(re.source, "g")) ?? []);
