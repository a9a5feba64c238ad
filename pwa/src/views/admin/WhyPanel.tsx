// "Why?": one student's effective rules, where each comes from, and whether they can go now
// (GET /api/students/{id}/policy runs the same checks as a request, so it can't disagree).
import { Fragment } from "preact";
import { useState } from "preact/hooks";
import { call } from "../../api/client";
import type { Place, PolicyExplanation } from "../../api/types";
import { me } from "../../live/store";
import { ActionButton, messageOf } from "../../ui/Button";
import { FormMessage, SelectField } from "./Field";
import { type Picked, StudentPicker } from "./StudentPicker";

type Settings = PolicyExplanation["settings"];
const LABELS: readonly (readonly [keyof Settings, string])[] = [
  ["passes_per_day", "Passes per day"],
  ["passes_per_week", "Passes per week"],
  ["cooldown_minutes", "Cooldown"],
  ["no_fly_after_start_minutes", "Closed after a bell"],
  ["no_fly_before_end_minutes", "Closed before a bell"],
  ["no_pass_periods", "Periods without passes"],
  ["overtime_grace_minutes", "Overtime grace"],
  ["offer_seconds", "Offer time"],
  ["exempt", "Exempt place"],
  ["accommodation", "Accommodation"],
];
const UNITS: Partial<Record<keyof Settings, string>> = {
  cooldown_minutes: "min",
  no_fly_after_start_minutes: "min",
  no_fly_before_end_minutes: "min",
  overtime_grace_minutes: "min",
  offer_seconds: "s",
};

function valueWords(key: keyof Settings, value: unknown): string {
  if (value === null || value === undefined) return key === "no_pass_periods" ? "none" : "no limit";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) return value.length ? value.join(", ") : "none";
  const words = typeof value === "number" || typeof value === "string" ? String(value) : JSON.stringify(value);
  return UNITS[key] ? `${words} ${UNITS[key]}` : words;
}

/** The explainer: pick a student (and a place, optionally), then see each rule and its source. */
export function WhyPanel({ destinations }: { destinations: readonly Place[] }) {
  const [student, setStudent] = useState<Picked[]>([]);
  const [place, setPlace] = useState("");
  const [answer, setAnswer] = useState<PolicyExplanation | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function explain() {
    setError(null);
    if (!student.length) {
      setError("Find and add a student first.");
      return;
    }
    const query = place ? `?destination_id=${place}` : "";
    try {
      setAnswer(await call<PolicyExplanation>("GET", `/api/students/${student[0].id}/policy${query}`));
    } catch (caught) {
      setAnswer(null);
      setError(messageOf(caught));
    }
  }

  const zone = me.value?.school.timezone;
  const at = (iso: string) => new Date(iso).toLocaleString([], { weekday: "short", hour: "numeric", minute: "2-digit", timeZone: zone });
  return (
    <section class="card stack why" aria-labelledby="why-title">
      <h2 id="why-title">Why?</h2>
      <p class="muted">The rules one student has now, and which row sets each.</p>
      <StudentPicker id="why-student" label="Student" value={student} onChange={(next) => { setStudent(next.slice(-1)); setAnswer(null); }} />
      <SelectField
        id="why-place"
        label="Going to"
        value={place}
        options={[["", "Any place"], ...destinations.map((p) => [String(p.id), p.name] as const)]}
        onChange={(v) => { setPlace(v); setAnswer(null); }}
      />
      <div class="btn-row">
        <ActionButton kind="primary" run={explain}>
          Explain
        </ActionButton>
      </div>
      <FormMessage text={error} />
      <div aria-live="polite">
        {answer && (
          <div class="stack" data-testid="why-answer">
            <p class={answer.allowed ? "notice notice--good" : "notice notice--bad"}>
              <strong>{answer.student.name}</strong> {answer.allowed ? "can start a pass now" : "can't start a pass now"}
              {answer.destination ? ` to ${answer.destination.name}` : ""}.{answer.detail ? ` ${answer.detail}` : ""}
              {answer.next_possible_at ? ` Next possible: ${at(answer.next_possible_at)}.` : ""}
            </p>
            <p>
              Counted passes: {answer.today} today, {answer.this_week} this week.
            </p>
            <dl class="facts why__rules" aria-label={`Effective rules for ${answer.student.name}`}>
              {LABELS.map(([key, label]) => {
                const setting = answer.settings[key];
                if (!setting) return null;
                return (
                  <Fragment key={key}>
                    <dt>{label}</dt>
                    <dd data-setting={key}>
                      {valueWords(key, setting.value)} <span class="muted">· {setting.scope === null ? "default" : `set by ${setting.source}`}</span>
                    </dd>
                  </Fragment>
                );
              })}
            </dl>
            {answer.no_fly_windows.length > 0 && (
              <p>
                Closed today:{" "}
                {answer.no_fly_windows.map((w) => `${at(w.start).replace(/^\w+ /, "")}–${at(w.end).replace(/^\w+ /, "")} (${w.period})`).join(", ")}
              </p>
            )}
          </div>
        )}
      </div>
    </section>
  );
}
