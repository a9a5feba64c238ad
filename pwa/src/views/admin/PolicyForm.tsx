// The school-wide policy row: limits, cooldown, no-fly minutes, overtime grace, offer time.
import { useEffect, useRef, useState } from "preact/hooks";
import { call } from "../../api/client";
import type { PolicyRow } from "../../api/types";
import { messageOf } from "../../ui/Button";
import { FormMessage, useFocusInvalid } from "./Field";
import { NO_PROBLEMS, type Problems, problemsOf } from "./problems";
import { draftOf, RULE_FIELDS, RuleFields, type RuleDraft, rulesOf } from "./RuleFields";

/** The school-wide policy form (PUT /api/policies/school replaces the row: unknown keys are kept). */
export function PolicyForm() {
  const [row, setRow] = useState<PolicyRow["rules"] | null>(null);
  const [draft, setDraft] = useState<RuleDraft | null>(null);
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
        setDraft(draftOf(rules, false));
      },
      (error) => setProblems({ fields: {}, general: messageOf(error) }),
    );
  }, []);

  async function submit(event: Event) {
    event.preventDefault();
    if (!draft || !row) return;
    setDone(null);
    const made = rulesOf(draft, row, false);
    if ("bad" in made) {
      setProblems({ fields: made.bad, general: "Check the marked fields." });
      return;
    }
    const { rules } = made;
    setBusy(true);
    setProblems(NO_PROBLEMS);
    try {
      const saved = await call<PolicyRow>("PUT", "/api/policies/school", { body: { rules } });
      setRow(saved.rules);
      setDraft(draftOf(saved.rules, false));
      setDone("Policy saved.");
    } catch (error) {
      setProblems(problemsOf(error, RULE_FIELDS, "rules."));
    } finally {
      setBusy(false);
    }
  }

  const f = problems.fields;
  return (
    <form ref={formRef} class="card admin-form" onSubmit={(event) => void submit(event)} noValidate aria-labelledby="policy-title">
      <h2 id="policy-title">School-wide policy</h2>
      <p class="muted">For passes students start themselves. Grades, groups, places and students can be set apart on the Policies tab.</p>
      {draft === null ? (
        <p class="muted">{problems.general ?? "Loading…"}</p>
      ) : (
        <>
          <RuleFields idPrefix="policy" draft={draft} onChange={setDraft} errors={f} override={false} />
          <FormMessage text={problems.general ?? done} good={!problems.general && !!done} />
          <button class="btn btn--primary" type="submit" disabled={busy} aria-busy={busy}>
            Save policy
          </button>
        </>
      )}
    </form>
  );
}
