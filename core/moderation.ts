import { z } from "zod";
import { DomainError } from "./errors.js";
import { parseInput } from "./validation.js";

/** An admin's verdict on an application or a service; a rejection must say why (the applicant is told). */
export type Verdict = { decision: "approve" } | { decision: "reject"; reason: string };

export function checkVerdict(verdict: Verdict): { status: "approved" | "rejected"; reason: string | null } {
  if (verdict.decision === "approve") return { status: "approved", reason: null };
  return { status: "rejected", reason: parseInput(z.string().trim().min(3, "needs a reason").max(500), verdict.reason) };
}

export function assertPending(status: string): void {
  if (status !== "pending") throw new DomainError("ALREADY_MODERATED", "already decided", { status });
}
