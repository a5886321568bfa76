import type { ClientCardResponse } from "../../../api.js";
import { Fragment } from "preact";
import { useState } from "preact/hooks";
import { formatDate, formatDateTime, formatNumber, formatRubles } from "../../shared/i18n.js";
import type { PageProps } from "../app.js";
import { change, get } from "../dashboard-api.js";
import { useLocale } from "../i18n.js";
import { Link } from "../router.js";
import { Empty, ErrorMessage, LoadedView, PageTitle, ReasonForm, useLoad } from "../ui.js";

/** One client: who, the numbers (LTV, segment), purchases and ledger; an admin adjusts the balance or undoes a row here. */
export function ClientCardPage({ me, clientId }: PageProps & { clientId: string }) {
  const { t } = useLocale();
  const card = useLoad(() => get<ClientCardResponse>(`clients/${encodeURIComponent(clientId)}`), [clientId]);
  return (
    <>
      <p>
        <Link to="clients">← {t("clients-title")}</Link>
      </p>
      <LoadedView loaded={card}>{(data) => <Card data={data} isAdmin={me.role === "admin"} reload={card.reload} />}</LoadedView>
    </>
  );
}

function Card({ data, isAdmin, reload }: { data: ClientCardResponse; isAdmin: boolean; reload(): void }) {
  const { t, language } = useLocale();
  const { client, numbers } = data;
  const [undoing, setUndoing] = useState<number | null>(null);
  const fields: [string, string][] = [
    [t("col-phone"), client.phone ?? "—"],
    [t("col-username"), client.username ? `@${client.username}` : "—"],
    [t("col-status"), t(`client-status-${client.status}`)],
    [t("col-tier"), t(`tier-${client.tier}`)],
    [t("col-balance"), formatNumber(client.balance, language)],
    [t("col-language"), client.language.toUpperCase()],
    [t("col-joined"), formatDate(client.joinedAt, language)],
  ];
  return (
    <div data-testid="client-card">
      <PageTitle>
        {client.firstName ?? t("no-name")} <span class="muted">№ {client.id}</span>
      </PageTitle>
      <div class="grid-2">
        <section class="card">
          <h2>{t("client-profile")}</h2>
          <dl class="fields">
            {fields.map(([label, value]) => (
              <Fragment key={label}>
                <dt>{label}</dt>
                <dd>{value}</dd>
              </Fragment>
            ))}
          </dl>
        </section>
        <section class="card" data-testid="client-numbers">
          <h2>{t("client-numbers")}</h2>
          {numbers ? (
            <dl class="fields">
              <dt>{t("col-ltv")}</dt>
              <dd data-testid="ltv">{formatRubles(numbers.ltvKopecks, language)}</dd>
              <dt>{t("col-purchases")}</dt>
              <dd>{formatNumber(numbers.purchases, language)}</dd>
              <dt>{t("col-total")}</dt>
              <dd>{formatRubles(numbers.totalKopecks, language)}</dd>
              <dt>{t("col-average-check")}</dt>
              <dd>{formatRubles(numbers.averageCheckKopecks, language)}</dd>
              <dt>{t("col-last-purchase")}</dt>
              <dd>{numbers.lastPurchaseAt ? formatDateTime(numbers.lastPurchaseAt, language) : "—"}</dd>
              <dt>{t("col-category")}</dt>
              <dd>{t(`category-${numbers.category}`)}</dd>
              <dt>{t("col-segment")}</dt>
              <dd data-testid="segment">{t(`segment-${numbers.segment}`)}</dd>
              <dt>{t("col-computed-on")}</dt>
              <dd>{formatDate(`${numbers.computedOn}T12:00:00Z`, language)}</dd>
            </dl>
          ) : (
            <p class="muted">{t("client-numbers-none")}</p>
          )}
        </section>
      </div>

      {isAdmin && <AdjustForm clientId={client.id} onDone={reload} />}

      <section class="card">
        <h2>{t("client-purchases")}</h2>
        {data.purchases.length === 0 ? (
          <Empty />
        ) : (
          <div class="table-wrap">
            <table data-testid="purchases">
              <thead>
                <tr>
                  <th>{t("col-when")}</th>
                  <th>{t("col-partner")}</th>
                  <th>{t("col-receipt")}</th>
                  <th class="num">{t("col-amount")}</th>
                  <th class="num">{t("col-points")}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {data.purchases.map((p) => (
                  <tr key={p.id} class={p.cancelledAt ? "cancelled" : ""}>
                    <td class="nowrap">{formatDateTime(p.createdAt, language)}</td>
                    <td>{p.partnerName}</td>
                    <td>{p.receiptNumber}</td>
                    <td class="num">{formatRubles(p.amountKopecks, language)}</td>
                    <td class="num">{formatNumber(p.pointsAccrued, language)}</td>
                    <td>{p.cancelledAt && <span class="badge status-rejected">{t("purchase-cancelled")}</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section class="card">
        <h2>{t("client-ledger")}</h2>
        {data.ledger.length === 0 ? (
          <Empty />
        ) : (
          <div class="table-wrap">
            <table data-testid="ledger">
              <thead>
                <tr>
                  <th>{t("col-when")}</th>
                  <th>{t("col-operation")}</th>
                  <th class="num">{t("col-points")}</th>
                  <th class="num">{t("col-balance-after")}</th>
                  <th>{t("col-partner")}</th>
                  <th>{t("col-reason")}</th>
                  {isAdmin && <th />}
                </tr>
              </thead>
              <tbody>
                {data.ledger.map((row) => (
                  <tr key={row.id} data-testid={`ledger-${row.id}`}>
                    <td class="nowrap">{formatDateTime(row.createdAt, language)}</td>
                    <td>{ledgerKindLabel(t, row.kind)}</td>
                    <td class={row.points < 0 ? "num negative" : "num positive"}>{(row.points > 0 ? "+" : "") + formatNumber(row.points, language)}</td>
                    <td class="num">{formatNumber(row.balanceAfter, language)}</td>
                    <td>{row.partnerName ?? "—"}</td>
                    <td>{row.reason ?? ""}</td>
                    {isAdmin && (
                      <td class="actions">
                        {undoing === row.id ? (
                          <ReasonForm
                            submitLabel={t("action-undo")}
                            onCancel={() => setUndoing(null)}
                            onSubmit={async (reason) => {
                              await change("POST", `ledger/${row.id}/undo`, { reason });
                              setUndoing(null);
                              reload();
                            }}
                          />
                        ) : (
                          row.undoable && (
                            <button type="button" data-testid="undo" onClick={() => setUndoing(row.id)}>
                              {t("action-undo")}
                            </button>
                          )
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

const ledgerKinds = new Set(["accrual", "redemption", "welcome_bonus", "referral_bonus", "reversal", "adjustment", "expiry", "forfeiture", "merge"]);
const ledgerKindLabel = (t: (key: string) => string, kind: string) => (ledgerKinds.has(kind) ? t(`ledger-${kind.replaceAll("_", "-")}`) : kind);

/** A new idempotency key for each opened form: a double click, or a retry after a lost answer, is one adjustment. */
// (getRandomValues, not randomUUID: the latter exists only on https or localhost pages.)
const newKey = () => `dashboard:${Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("")}`;

function AdjustForm({ clientId, onDone }: { clientId: number; onDone(): void }) {
  const { t } = useLocale();
  const [open, setOpen] = useState(false);
  const [points, setPoints] = useState("");
  const [reason, setReason] = useState("");
  const [key, setKey] = useState(newKey);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [invalid, setInvalid] = useState(false);

  if (!open)
    return (
      <p>
        <button
          type="button"
          data-testid="adjust-open"
          onClick={() => {
            setKey(newKey());
            setPoints("");
            setReason("");
            setError(null);
            setOpen(true);
          }}
        >
          {t("adjust-open")}
        </button>
      </p>
    );
  return (
    <section class="card">
      <h2>{t("adjust-title")}</h2>
      <form
        class="inline-form labelled"
        data-testid="adjust-form"
        onSubmit={async (event) => {
          event.preventDefault();
          const value = Number(points);
          if (!/^-?\d+$/.test(points.trim()) || value === 0 || Math.abs(value) > 1_000_000) {
            setInvalid(true);
            return;
          }
          setInvalid(false);
          if (busy) return;
          setBusy(true);
          setError(null);
          try {
            await change("POST", `clients/${clientId}/adjust`, { points: value, reason: reason.trim(), idempotencyKey: key });
            setOpen(false);
            onDone();
          } catch (e) {
            setError(e);
          } finally {
            setBusy(false);
          }
        }}
      >
        <label class="field">
          <span>{t("adjust-points")}</span>
          <input type="text" inputMode="numeric" required placeholder={t("adjust-points-placeholder")} value={points} onInput={(e) => setPoints(e.currentTarget.value)} data-testid="adjust-points" />
        </label>
        <label class="field">
          <span>{t("reason")}</span>
          <input type="text" required minLength={3} maxLength={500} placeholder={t("reason-placeholder")} value={reason} onInput={(e) => setReason(e.currentTarget.value)} data-testid="adjust-reason" />
        </label>
        <button type="submit" class="primary" disabled={busy} data-testid="adjust-submit">
          {t("adjust-submit")}
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          {t("cancel")}
        </button>
        {invalid && <div class="error">{t("adjust-points-invalid")}</div>}
        <ErrorMessage error={error} />
      </form>
      <p class="muted small">{t("adjust-hint")}</p>
    </section>
  );
}
