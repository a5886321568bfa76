import { isEditableSetting } from "../../core/settings/service.js";
import type { BaseContext } from "../shared/context.js";
import { dateTime, settingName, settingText, tOr } from "./format.js";

type T = BaseContext["t"];
export type AuditRow = { createdAt: Date; actorType: string; actorTelegramId: number | null; action: string; targetType: string; targetId: number | null; details: unknown };

const keyPart = (id: string) => id.replace(/[._]/g, "-");

/**
 * One audit entry in the reader's language: when (their date format, Moscow time), who, what, on what; a settings
 * change with each old and new value, and a reason when one was given. An action the locale files do not know yet
 * is shown by its id rather than hidden.
 */
export function auditLine(t: T, r: AuditRow): string {
  const line = t("audit-line", {
    time: dateTime(t, r.createdAt),
    actor: tOr(t, `audit-actor-${r.actorType}`, r.actorType, { id: r.actorTelegramId === null ? "—" : String(r.actorTelegramId) }),
    action: tOr(t, `audit-action-${keyPart(r.action)}`, r.action),
    target: t("audit-target", { type: tOr(t, `audit-target-${keyPart(r.targetType)}`, r.targetType), id: r.targetId === null ? "—" : String(r.targetId) }),
  });
  const details = (r.details ?? {}) as { changes?: Record<string, { from: unknown; to: unknown }>; reason?: unknown };
  const extra: string[] = [];
  if (details.changes) extra.push(...settingChanges(t, details.changes));
  if (typeof details.reason === "string" && details.reason) extra.push(t("audit-reason", { reason: details.reason }));
  return extra.length ? `${line}\n    ${extra.join("; ")}` : line;
}

/** `{ tierThresholds: { from: {silver: 500, …}, to: {silver: 700, …} } }` → "Silver threshold: 500 points → 700 points". */
function settingChanges(t: T, changes: Record<string, { from: unknown; to: unknown }>): string[] {
  const out: string[] = [];
  const one = (key: string, from: unknown, to: unknown) => {
    if (isEditableSetting(key) && typeof from === "number" && typeof to === "number") {
      out.push(t("audit-change", { name: settingName(t, key), from: settingText(t, key, from), to: settingText(t, key, to) }));
    } else {
      const show = (v: unknown) => (typeof v === "boolean" ? t(v ? "yes" : "no") : JSON.stringify(v));
      out.push(t("audit-change", { name: tOr(t, `setting-${key}`, key), from: show(from), to: show(to) }));
    }
  };
  for (const [key, { from, to }] of Object.entries(changes)) {
    if (from && to && typeof from === "object" && typeof to === "object") {
      const a = from as Record<string, unknown>;
      const b = to as Record<string, unknown>;
      for (const sub of new Set([...Object.keys(a), ...Object.keys(b)])) if (a[sub] !== b[sub]) one(`${key}.${sub}`, a[sub], b[sub]);
    } else one(key, from, to);
  }
  return out;
}
