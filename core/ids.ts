import { randomInt } from "node:crypto";

// No 0/O, 1/I/L: codes are read aloud at a till and typed by hand.
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

export function randomCode(length: number, alphabet = codeAlphabet): string {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

export const randomDigits = (length: number) => randomCode(length, "0123456789");
