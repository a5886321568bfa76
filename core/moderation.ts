import { DomainError } from "./errors.js";
import { multiline, parseInput, textField } from "./validation.js";

/** A rejection's or a block's reason (the one it concerns reads it). */
export const reasonRule = multiline(3, 500);

/** An admin's verdict on an application or a service; a rejection must say why (the applicant is told). */
export type Verdict = { decision: "approve" } | { decision: "reject"; reason: string };

export function checkVerdict(verdict: Verdict): { status: "approved" | "rejected"; reason: string | null } {
  if (verdict.decision === "approve") return { status: "approved", reason: null };
  return { status: "rejected", reason: parseInput(textField(reasonRule), verdict.reason) };
}

export function assertPending(status: string): void {
  if (status !== "pending") throw new DomainError("ALREADY_MODERATED", "already decided", { status });
}
