// The rule settings a policy row holds, shared by the school-wide form and the overrides.
// The school's row says "empty: no limit"; an override says "empty: as the wider rule", and
// "none" lifts a limit (null), since a setting left out of a row inherits (ADR 0005).
import type { PolicyRow, PolicyRules } from "../../api/types";
import { TextField } from "./Field";
import { wholeNumber } from "./problems";

export type NumberSetting =
  | "passes_per_day"
  | "passes_per_week"
  | "cooldown_minutes"
  | "no_fly_after_start_minutes"
  | "no_fly_before_end_minutes"
  | "overtime_grace_minutes"
  | "offer_seconds";

export const SETTINGS: readonly { key: NumberSetting; label: string; hint: string }[] = [
  { key: "passes_per_day", label: "Passes per day", hint: "0-100 a student starts per school day." },
  { key: "passes_per_week", label: "Passes per week", hint: "0-500, from Monday." },
  { key: "cooldown_minutes", label: "Cooldown (minutes)", hint: "0-1440 between the end of a pass and the next." },
  { key: "no_fly_after_start_minutes", label: "Closed after a bell (minutes)", hint: "0-120: no passes in the first minutes of every period." },
  { key: "no_fly_before_end_minutes", label: "Closed before a bell (minutes)", hint: "0-120: no passes in the last minutes of every period." },
  { key: "overtime_grace_minutes", label: "Overtime grace (minutes)", hint: "0-240 past due before a pass is ended as expired." },
  { key: "offer_seconds", label: "Offer time (seconds)", hint: "10-600: how long a student in line has to take a place." },
];

/** Every rule field a form shows, as the server names them (after `rules.`). */
export const RULE_FIELDS: readonly string[] = [...SETTINGS.map((s) => s.key), "no_pass_periods", "accommodation", "exempt"];

// What an empty field means on the school's row (its own "none") and on an override.
const SCHOOL_EMPTY: Record<NumberSetting, string> = {
  passes_per_day: "Empty: no limit.",
  passes_per_week: "Empty: no limit.",
  cooldown_minutes: "Empty: none.",
  no_fly_after_start_minutes: "Empty: none.",
  no_fly_before_end_minutes: "Empty: none.",
  overtime_grace_minutes: "Empty: never.",
  offer_seconds: "Empty: 30.",
};

export type RuleDraft = Record<NumberSetting | "no_pass_periods", string>;

const NONE = /^(none|no limit|-)$/i;

/** The form's text for a row's rules ("none" for an override's explicit null). */
export function draftOf(rules: PolicyRow["rules"], override: boolean): RuleDraft {
  const draft = {} as RuleDraft;
  for (const { key } of SETTINGS) {
    const value = rules[key];
    draft[key] = typeof value === "number" ? String(value) : override && key in rules && value === null ? "none" : "";
  }
  const periods = rules.no_pass_periods;
  draft.no_pass_periods = Array.isArray(periods) ? periods.join(", ") : override && "no_pass_periods" in rules ? "none" : "";
  return draft;
}

/**
 * The rules to send: `base` (the row as stored, so settings this form doesn't show are kept)
 * with the draft's settings; or the fields typed wrong, in words.
 */
export function rulesOf(draft: RuleDraft, base: PolicyRow["rules"], override: boolean): { rules: PolicyRules } | { bad: Record<string, string> } {
  const rules: PolicyRules = { ...(base as PolicyRules) };
  const bad: Record<string, string> = {};
  for (const { key } of SETTINGS) {
    const text = draft[key].trim();
    if (override && NONE.test(text)) {
      if (key === "offer_seconds") bad[key] = "The offer time has no “none”: enter 10-600, or leave it empty.";
      else rules[key] = null;
      continue;
    }
    const value = wholeNumber(text);
    if (value === "bad") bad[key] = override ? "Enter a whole number, “none”, or leave it empty." : "Enter a whole number, or leave it empty.";
    else if (value === null && (override || key === "offer_seconds")) delete rules[key]; // unset: inherits (or the default)
    else rules[key] = value as number;
  }
  const text = draft.no_pass_periods.trim();
  const periods = text.split(",").map((p) => p.trim()).filter(Boolean);
  if (override && NONE.test(text)) rules.no_pass_periods = null;
  else if (periods.length) rules.no_pass_periods = periods;
  else if (override) delete rules.no_pass_periods;
  else rules.no_pass_periods = null;
  return Object.keys(bad).length ? { bad } : { rules };
}

/** The rule fields, each with its hint and the server's message for it. */
export function RuleFields({
  idPrefix,
  draft,
  onChange,
  errors,
  override,
}: {
  idPrefix: string;
  draft: RuleDraft;
  onChange: (next: RuleDraft) => void;
  errors: Record<string, string>;
  override: boolean;
}) {
  return (
    <>
      <div class="admin-form__grid">
        {SETTINGS.map(({ key, label, hint }) => (
          <TextField
            key={key}
            id={`${idPrefix}-${key}`}
            label={label}
            numeric={!override}
            value={draft[key]}
            onInput={(v) => onChange({ ...draft, [key]: v })}
            error={errors[key]}
            hint={override ? hint : `${hint} ${SCHOOL_EMPTY[key]}`}
            placeholder={override ? "As the wider rule" : key === "offer_seconds" ? "30" : "No limit"}
          />
        ))}
      </div>
      <TextField
        id={`${idPrefix}-no_pass_periods`}
        label="Periods without passes"
        value={draft.no_pass_periods}
        onInput={(v) => onChange({ ...draft, no_pass_periods: v })}
        error={errors.no_pass_periods}
        hint={`Period names from the bell schedule, separated by commas (Lunch, Assembly). ${override ? "“none”: every period open." : "Empty: none."}`}
      />
    </>
  );
}
