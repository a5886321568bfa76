import type { Persona, PersonaRole } from "../protocol.js";
import { personaName } from "./pane.js";

const groups: { role: PersonaRole; title: string }[] = [
  { role: "admin", title: "Admin" },
  { role: "owner", title: "Partners' owners" },
  { role: "cashier", title: "Cashiers" },
  { role: "client", title: "Clients" },
  { role: "applicant", title: "Applicants" },
];

export type RailProps = {
  personas: Persona[];
  openIds: Set<number>;
  language: "ru" | "en";
  setLanguage: (language: "ru" | "en") => void;
  open: (persona: Persona) => void;
  create: (role: "client" | "applicant") => void;
};

/** The left column: who you are. Clicking a person opens their chat with the bot they use. */
export function Rail(props: RailProps) {
  return (
    <nav class="rail">
      <div class="rail-title">Who are you?</div>
      <div class="rail-actions">
        <button class="new-button" data-testid="new-client" onClick={() => props.create("client")}>
          + New client
        </button>
        <button class="new-button" data-testid="new-applicant" onClick={() => props.create("applicant")}>
          + New applicant
        </button>
      </div>
      <div class="language-switch" title="The language new people write to the bots in">
        new people speak
        {(["ru", "en"] as const).map((language) => (
          <button
            key={language}
            class={props.language === language ? "selected" : ""}
            data-testid={`language-${language}`}
            onClick={() => props.setLanguage(language)}
          >
            {language.toUpperCase()}
          </button>
        ))}
      </div>
      <div class="rail-list">
        {groups.map(({ role, title }) => {
          const people = props.personas.filter((p) => p.role === role);
          if (people.length === 0) return null;
          return (
            <div class="rail-group" key={role}>
              <div class="rail-group-title">{title}</div>
              {people.map((persona) => (
                <button
                  key={persona.telegramId}
                  class={`persona ${props.openIds.has(persona.telegramId) ? "open" : ""}`}
                  data-testid={`persona-${persona.telegramId}`}
                  onClick={() => props.open(persona)}
                >
                  <div class={`avatar small hue-${persona.telegramId % 7}`}>{persona.firstName.slice(0, 1)}</div>
                  <div class="persona-text">
                    <div class="persona-name">
                      {personaName(persona, persona.telegramId)}
                      <span class="persona-language">{persona.languageCode}</span>
                    </div>
                    <div class="persona-detail">{[persona.detail, persona.phone].filter(Boolean).join(" · ")}</div>
                  </div>
                </button>
              ))}
            </div>
          );
        })}
      </div>
    </nav>
  );
}
