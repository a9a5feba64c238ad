// The school-wide policy row: limits, cooldown, no-fly minutes, overtime grace, offer time.
import { useEffect, useRef, useState } from "preact/hooks";
import { call } from "../../api/client";
import type { PolicyRow, PolicyRules } from "../../api/types";
import { messageOf } from "../../ui/Button";
import { FormMessage, TextField, useFocusInvalid } from "./Field";
import { NO_PROBLEMS, type Problems, problemsOf, wholeNumber } from "./problems";

type NumberSetting =
  | "passes_per_day"
  | "passes_per_week"
  | "cooldown_minutes"
  | "no_fly_after_start_minutes"
  | "no_fly_before_end_minutes"
  | "overtime_grace_minutes"
  | "offer_seconds";

const SETTINGS: readonly { key: NumberSetting; label: string; hint: string }[] = [
  { key: "passes_per_day", label: "Passes per day", hint: "0-100 a student starts per school day. Empty: no limit." },
  { key: "passes_per_week", label: "Passes per week", hint: "0-500, from Monday. Empty: no limit." },
  { key: "cooldown_minutes", label: "Cooldown (minutes)", hint: "0-1440 between the end of a pass and the next. Empty: none." },
  { key: "no_fly_after_start_minutes", label: "Closed after a bell (minutes)", hint: "0-120: no passes in the first minutes of every period. Empty: none." },
  { key: "no_fly_before_end_minutes", label: "Closed before a bell (minutes)", hint: "0-120: no passes in the last minutes of every period. Empty: none." },
  { key: "overtime_grace_minutes", label: "Overtime grace (minutes)", hint: "0-240 past due before a pass is ended as expired. Empty: never." },
  { key: "offer_seconds", label: "Offer time (seconds)", hint: "10-600: how long a student in line has to take a place. Empty: 30." },
];
const SHOWN = [...SETTINGS.map((s) => s.key), "no_pass_periods"];

type Draft = Record<NumberSetting | "no_pass_periods", string>;

function draftOf(rules: PolicyRow["rules"]): Draft {
  const draft = {} as Draft;
  for (const { key } of SETTINGS) draft[key] = typeof rules[key] === "number" ? String(rules[key]) : "";
  const periods = rules.no_pass_periods;
  draft.no_pass_periods = Array.isArray(periods) ? periods.join(", ") : "";
  return draft;
}

/** The school-wide policy form (PUT /api/policies/school replaces the row: unknown keys are kept). */
export function PolicyForm() {
  const [row, setRow] = useState<PolicyRow["rules"] | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusInvalid(formRef, problems);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    call<PolicyRow[]>("GET", "/api/policies").then(
      (rows) => {
        const rules = rows.find((r) => r.scope === "school")?.rules ?? {};
        setRow(rules);
        setDraft(draftOf(rules));
      },
      (error) => setProblems({ fields: {}, general: messageOf(error) }),
    );
  }, []);

  async function submit(event: Event) {
    event.preventDefault();
    if (!draft || !row) return;
    setDone(null);
    const rules: PolicyRules = { ...(row as PolicyRules) };
    const bad: Record<string, string> = {};
    for (const { key } of SETTINGS) {
      const value = wholeNumber(draft[key]);
      if (value === "bad") bad[key] = "Enter a whole number, or leave it empty.";
      else if (value === null && key === "offer_seconds") delete rules.offer_seconds; // unset: the default
      else rules[key] = value as number;
    }
    if (Object.keys(bad).length) {
      setProblems({ fields: bad, general: "Check the marked fields." });
      return;
    }
    const periods = draft.no_pass_periods.split(",").map((p) => p.trim()).filter(Boolean);
    rules.no_pass_periods = periods.length ? periods : null;
    setBusy(true);
    setProblems(NO_PROBLEMS);
    try {
      const saved = await call<PolicyRow>("PUT", "/api/policies/school", { body: { rules } });
      setRow(saved.rules);
      setDraft(draftOf(saved.rules));
      setDone("Policy saved.");
    } catch (error) {
      setProblems(problemsOf(error, SHOWN, "rules."));
    } finally {
      setBusy(false);
    }
  }

  const f = problems.fields;
  return (
    <form ref={formRef} class="card admin-form" onSubmit={submit} noValidate aria-labelledby="policy-title">
      <h2 id="policy-title">School-wide policy</h2>
      <p class="muted">For passes students start themselves. Grades, groups, places and students can be set apart through the policy API.</p>
      {draft === null ? (
        <p class="muted">{problems.general ?? "Loading…"}</p>
      ) : (
        <>
          <div class="admin-form__grid">
            {SETTINGS.map(({ key, label, hint }) => (
              <TextField
                key={key}
                id={`policy-${key}`}
                label={label}
                numeric
                value={draft[key]}
                onInput={(v) => setDraft({ ...draft, [key]: v })}
                error={f[key]}
                hint={hint}
                placeholder={key === "offer_seconds" ? "30" : "No limit"}
              />
            ))}
          </div>
          <TextField
            id="policy-no_pass_periods"
            label="Periods without passes"
            value={draft.no_pass_periods}
            onInput={(v) => setDraft({ ...draft, no_pass_periods: v })}
            error={f.no_pass_periods}
            hint="Period names from the bell schedule, separated by commas (Lunch, Assembly). Empty: none."
          />
          <FormMessage text={problems.general ?? done} good={!problems.general && !!done} />
          <button class="btn btn--primary" type="submit" disabled={busy} aria-busy={busy}>
            Save policy
          </button>
        </>
      )}
    </form>
  );
}
