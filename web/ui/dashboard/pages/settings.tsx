import type { settingsResponse } from "../../../api.js";
import type { z } from "zod";
import { useState } from "preact/hooks";
import { formatNumber, type Language, type Translate } from "../../shared/i18n.js";
import { change, get } from "../dashboard-api.js";
import { useLocale } from "../i18n.js";
import { ErrorMessage, LoadedView, PageTitle, useLoad } from "../ui.js";

type Setting = z.infer<typeof settingsResponse>["items"][number];

/** A setting's value as people read it: basis points also as a percentage. */
function shown(setting: Pick<Setting, "value" | "unit">, t: Translate, language: Language): string {
  const n = formatNumber(setting.value, language);
  if (setting.unit === "basisPoints") return `${n} ${t("unit-basisPoints")} (${formatNumber(setting.value / 100, language)} %)`;
  if (setting.unit === "hourOfDay") return t("unit-hourOfDay-value", { hour: setting.value });
  return `${n} ${t(`unit-${setting.unit}`)}`;
}

/** A known setting's name; the key itself for one this page has no words for yet. */
const settingLabel = (t: Translate, key: string) => {
  const id = `setting-${key.replaceAll(".", "-")}`;
  const label = t(id);
  return label === id ? key : label;
};

/** The network's default numbers (admin): one value edited at a time, within its bounds; the server's refusal is shown. */
export function SettingsPage() {
  const { t, language } = useLocale();
  const settings = useLoad(() => get<z.infer<typeof settingsResponse>>("settings"), []);
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <>
      <PageTitle>{t("settings-title")}</PageTitle>
      <p class="muted">{t("settings-hint")}</p>
      <LoadedView loaded={settings}>
        {({ items }) => (
          <div class="table-wrap">
            <table data-testid="settings">
              <thead>
                <tr>
                  <th>{t("col-setting")}</th>
                  <th>{t("col-value")}</th>
                  <th>{t("col-bounds")}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {items.map((s) => (
                  <tr key={s.key} data-testid={`setting-${s.key}`}>
                    <td>
                      {settingLabel(t, s.key)}
                      <div class="muted small">
                        <code>{s.key}</code>
                      </div>
                    </td>
                    <td>
                      {editing === s.key ? (
                        <SettingForm
                          setting={s}
                          onCancel={() => setEditing(null)}
                          onSaved={() => {
                            setEditing(null);
                            settings.reload();
                          }}
                        />
                      ) : (
                        shown(s, t, language)
                      )}
                    </td>
                    <td class="nowrap muted">
                      {formatNumber(s.min, language)} … {formatNumber(s.max, language)}
                    </td>
                    <td class="actions">
                      {editing !== s.key && (
                        <button type="button" onClick={() => setEditing(s.key)} data-testid="edit">
                          {t("action-edit")}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </LoadedView>
    </>
  );
}

function SettingForm({ setting, onCancel, onSaved }: { setting: Setting; onCancel(): void; onSaved(): void }) {
  const { t } = useLocale();
  const [value, setValue] = useState(String(setting.value));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <form
      class="inline-form"
      data-testid="setting-form"
      onSubmit={async (event) => {
        event.preventDefault();
        setBusy(true);
        setError(null);
        try {
          // Sent as typed (a whole number is checked by the server against the bounds): its refusal is the message shown.
          await change("PUT", `settings/${encodeURIComponent(setting.key)}`, { value: Number(value) });
          onSaved();
        } catch (e) {
          setError(e);
        } finally {
          setBusy(false);
        }
      }}
    >
      <input type="number" step={1} required value={value} onInput={(e) => setValue(e.currentTarget.value)} aria-label={t("col-value")} data-testid="setting-value" />
      <span class="muted">{t(`unit-${setting.unit}`)}</span>
      <button type="submit" class="primary" disabled={busy} data-testid="setting-save">
        {t("save")}
      </button>
      <button type="button" onClick={onCancel}>
        {t("cancel")}
      </button>
      <ErrorMessage error={error} />
    </form>
  );
}
