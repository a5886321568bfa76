import { z } from "zod";
import { DomainError } from "./errors.js";

/** zod at the edge of every use-case: bad input becomes a VALIDATION DomainError naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join(".") || "input";
  throw new DomainError("VALIDATION", `${field}: ${issue?.message ?? "invalid"}`, { field });
}

// ---------------------------------------------------------------------------------------------
// User text: normalised once, here, before it is validated, compared or stored

/**
 * How a piece of user text is normalised:
 * - `line`: a name, an address, a title — one line, runs of whitespace become one space;
 * - `text`: a description, a comment, a message — line breaks kept (at most one empty line in a row), spaces collapsed;
 * - `identifier`: what is compared for uniqueness, e.g. a receipt number — a `line`, and every hyphen or dash and every
 *   Cyrillic letter that looks like a Latin one is the Latin character, so what reads the same is the same.
 */
export type TextKind = "line" | "text" | "identifier";
export type TextRule = { kind: TextKind; min: number; max: number };

export const line = (min: number, max: number): TextRule => ({ kind: "line", min, max });
export const multiline = (min: number, max: number): TextRule => ({ kind: "text", min, max });
export const identifier = (min: number, max: number): TextRule => ({ kind: "identifier", min, max });

/** Invisible format characters (Unicode Cf): zero-width spaces and joiners, bidi controls, BOM, soft hyphen, word joiner… */
const formatCharacter = /\p{Cf}/gu;
/** Letters that render as nothing (Hangul fillers, braille blank): treated as spaces so they cannot make an "invisible" text. */
const blankLetters = /[\u115F\u1160\u3164\uFFA0\u2800]/gu;
/** Hyphens and dashes NFKC leaves as they are (U+2011 becomes U+2010, not "-"). */
const dashes = /[\u2010-\u2015\u2043\u2212\u2E3A\u2E3B\uFE58\uFE63\uFF0D]/gu;
/** Cyrillic letters with a Latin twin (a Russian keyboard's "Р-100" is the receipt "P-100"). */
const latinTwins: Record<string, string> = {
  А: "A", В: "B", Е: "E", К: "K", М: "M", Н: "H", О: "O", Р: "P", С: "C", Т: "T", Х: "X", У: "Y", Ѕ: "S", І: "I", Ј: "J",
  а: "a", е: "e", о: "o", р: "p", с: "c", у: "y", х: "x", ѕ: "s", і: "i", ј: "j",
};
const cyrillicTwin = new RegExp(`[${Object.keys(latinTwins).join("")}]`, "gu");

/** A zero-width joiner inside an emoji sequence (👩‍💻) is part of the emoji; anywhere else it is dropped. */
const keepJoiner = (text: string, at: number) =>
  /[\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F]$/u.test(text.slice(Math.max(0, at - 2), at)) && /^\p{Extended_Pictographic}/u.test(text.slice(at + 1, at + 3));

/**
 * The one normalisation of user text: NFKC (full-width, ligatures, non-breaking spaces), invisible format characters
 * dropped, control characters and blank-looking letters become spaces, runs of spaces collapsed, trimmed. Every core
 * use-case applies it (through {@link textField}) before validation and before any uniqueness check, and the bots'
 * conversation steps apply the same function, so a step refuses exactly what the core would refuse.
 */
export function normalizeText(raw: string, kind: TextKind = "line"): string {
  const visible = raw
    .normalize("NFKC")
    .replace(/\p{Cs}/gu, "")
    .replace(formatCharacter, (ch, at: number, whole: string) => (ch === "\u200D" && kind !== "identifier" && keepJoiner(whole, at) ? ch : ""))
    .replace(/\r\n?|[\u2028\u2029\u0085]/gu, "\n")
    .replace(blankLetters, " ");
  let text: string;
  if (kind === "text") {
    text = visible
      .replace(/[^\S\n]|[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g, " ")
      .split("\n")
      .map((l) => l.replace(/ {2,}/g, " ").trim())
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim();
  } else {
    // An identifier keeps other control characters, so that it is refused rather than silently changed.
    text = visible.replace(kind === "identifier" ? /\s+/gu : /[\s\p{Cc}]+/gu, " ").trim();
  }
  if (kind === "identifier") text = text.replace(dashes, "-").replace(cyrillicTwin, (ch) => latinTwins[ch] ?? ch);
  return text;
}

/** At least one character one can see: not only marks, spaces, controls or variation selectors. */
export const hasVisibleCharacter = (text: string) => /[^\p{M}\p{Z}\p{C}]/u.test(text);

export type TextCheck = { ok: true; value: string } | { ok: false; problem: "invisible" | "control" } | { ok: false; problem: "too-short"; min: number } | { ok: false; problem: "too-long"; max: number };

/** Normalises and checks a text against its rule; the bots' parsers and {@link textField} both use it. */
export function checkText(raw: string, rule: TextRule): TextCheck {
  const value = normalizeText(raw, rule.kind);
  if (rule.kind === "identifier" && /\p{C}/u.test(value)) return { ok: false, problem: "control" };
  if (!hasVisibleCharacter(value)) return rule.min === 0 && value === "" ? { ok: true, value } : { ok: false, problem: "invisible" };
  if (value.length < rule.min) return { ok: false, problem: "too-short", min: rule.min };
  if (value.length > rule.max) return { ok: false, problem: "too-long", max: rule.max };
  return { ok: true, value };
}

/** A zod string field for user text: normalised by {@link normalizeText}, then checked by {@link checkText}. */
export const textField = (rule: TextRule) =>
  z.string().transform((raw, ctx) => {
    const checked = checkText(raw, rule);
    if (checked.ok) return checked.value;
    const message = {
      invisible: "has no visible characters",
      control: "must not contain control characters",
      "too-short": `is too short (at least ${"min" in checked ? checked.min : 0} characters)`,
      "too-long": `must be at most ${"max" in checked ? checked.max : 0} characters`,
    }[checked.problem];
    ctx.addIssue({ code: "custom", message });
    return z.NEVER;
  });
