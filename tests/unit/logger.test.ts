import { Writable } from "node:stream";
import { Api, HttpError } from "grammy";
import { describe, expect, it } from "vitest";
import { createLogger, redactSecrets, safeErrorText } from "../../core/logger.js";

const token = "1000001:CLIENTclientCLIENTclientCLIENTcl0";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  return { logger: createLogger("info", "test", stream), lines };
}

/** What drizzle throws for a failed query: the values in `params` and in the message. */
function failedQuery() {
  const cause = Object.assign(new Error("duplicate key value violates unique constraint \"clients_phone_key\""), {
    name: "PostgresError",
    detail: "Key (phone)=(+79161234567) already exists.",
    parameters: ["+79161234567", "Иван"],
  });
  return Object.assign(new Error("Failed query: insert into clients (phone, first_name) values ($1, $2)\nparams: +79161234567,Иван"), {
    params: ["+79161234567", "Иван"],
    cause,
  });
}

describe("logs and stored errors hold no phone, bot token or initData", () => {
  it.each([
    ["+79161234567", "[phone]"],
    ["+7 (916) 123-45-67", "[phone]"],
    ["8 916 123-45-67", "[phone]"],
    ["89161234567", "[phone]"],
    ["9161234567", "[phone]"],
    ["+44 20 7946 0958", "[phone]"],
    [`https://api.telegram.org/bot${token}/sendMessage`, "https://api.telegram.org/bot[bot-token]/sendMessage"],
    ["query_id=AAHd&user=%7B%22id%22%3A5917346281%7D&auth_date=1700000000&hash=0f1e", "[initData]"],
  ])("%s is redacted", (text, redacted) => {
    expect(redactSecrets(text)).toBe(redacted);
  });

  it("leaves times, ids and amounts alone", () => {
    const line = '{"level":50,"time":1764000000000,"updateId":812345678,"jobId":42,"points":1500,"at":"2026-11-24T18:00:00.000Z","msg":"ok 12:30"}';
    expect(redactSecrets(line)).toBe(line);
  });

  it("an error's query parameters are not logged, nor a phone in its message or detail", () => {
    const { logger, lines } = capture();
    logger.error({ err: failedQuery() }, "update failed");
    const line = lines.join("");
    expect(line).toContain("Failed query: insert into clients");
    expect(line).not.toMatch(/9161234567|Иван/);
    expect(JSON.parse(line).err.params).toBeUndefined();
  });

  it("grammY's HTTP error from an unreachable API keeps the URL's token out of the log", async () => {
    const api = new Api(token, { apiRoot: "http://127.0.0.1:9" });
    const err = await api.sendMessage(1, "x").then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    // The fetch error inside it names the URL, token included.
    expect(JSON.stringify((err as HttpError).error)).toContain(token);
    const { logger, lines } = capture();
    logger.warn({ err }, "could not send");
    logger.warn(`a message naming ${token} and +79161234567`);
    const text = lines.join("");
    expect(text).toContain("bot[bot-token]/sendMessage");
    expect(text).not.toContain(token);
    expect(text).not.toContain("9161234567");
  });

  it("the text stored for a failed job has no parameters, phones or tokens; it keeps the cause", () => {
    const text = safeErrorText(failedQuery());
    expect(text).toContain("Failed query: insert into clients");
    expect(text).toContain("duplicate key value");
    expect(text).not.toMatch(/9161234567|Иван/);
    expect(safeErrorText(new Error(`request to http://x/bot${token}/getMe failed`))).toBe("Error: request to http://x/bot[bot-token]/getMe failed");
  });
});
