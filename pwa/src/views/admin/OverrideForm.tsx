// Add or change one override row: whom it applies to (a grade, group, place or student) and
// the rule settings it sets. PUT /api/policies/{scope}/{target} replaces the row whole.
import { useRef, useState } from "preact/hooks";
import { call } from "../../api/client";
import type { Place, PolicyRow, StudentGroup } from "../../api/types";
import { FormActions, SelectField, TextField, useFocusInvalid } from "./Field";
import { policyPath, SCOPES } from "./policyWords";
import { NO_PROBLEMS, type Problems, problemsOf } from "./problems";
import { draftOf, RULE_FIELDS, RuleFields, type RuleDraft, rulesOf } from "./RuleFields";
import { type Picked, StudentPicker } from "./StudentPicker";

type Scope = (typeof SCOPES)[number][0];

export interface OverrideFormProps {
  /** The row to change; null to add one. */
  row: PolicyRow | null;
  /** Its title, for the form's accessible name ("Edit Grade 9", "New override"). */
  title: string;
  /** The student's name when the row is a student's (the picker shows it). */
  studentName?: string | undefined;
  destinations: readonly Place[];
  groups: readonly StudentGroup[] | null;
  onSaved: (row: PolicyRow) => void;
  onCancel: () => void;
}

/** The override form; whom it is for can be chosen only while adding. */
export function OverrideForm({ row, title, studentName, destinations, groups, onSaved, onCancel }: OverrideFormProps) {
  const [scope, setScope] = useState<Scope>(row && row.scope !== "school" ? row.scope : "grade");
  const [grade, setGrade] = useState(row?.scope === "grade" ? row.target : "");
  const [group, setGroup] = useState(row?.scope === "group" ? row.target : "");
  const [place, setPlace] = useState(row?.scope === "destination" ? row.target : "");
  const [student, setStudent] = useState<Picked[]>(row?.scope === "student" ? [{ id: Number(row.target), name: studentName ?? `Student #${row.target}` }] : []);
  const [draft, setDraft] = useState<RuleDraft>(draftOf(row?.rules ?? {}, true));
  const [accommodation, setAccommodation] = useState(row?.rules.accommodation === true);
  const [exempt, setExempt] = useState(row?.rules.exempt === true);
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusInvalid(formRef, problems);
  const adding = row === null;

  function target(): string | { bad: string } {
    switch (scope) {
      case "grade":
        return /^\d{1,2}$/.test(grade.trim()) ? grade.trim() : { bad: "Enter a grade, a whole number from 0 to 99." };
      case "group":
        return group ? group : { bad: "Choose a student group." };
      case "destination":
        return place ? place : { bad: "Choose a place." };
      case "student":
        return student.length ? String(student[0].id) : { bad: "Find and add the student." };
    }
  }

  async function submit(event: Event) {
    event.preventDefault();
    const made = rulesOf(draft, row?.rules ?? {}, true);
    const chosen = target();
    const bad = { ...("bad" in made ? made.bad : {}), ...(typeof chosen === "string" ? {} : { target: chosen.bad }) };
    if (Object.keys(bad).length || "bad" in made || typeof chosen !== "string") {
      setProblems({ fields: bad, general: "Check the marked fields." });
      return;
    }
    const rules = { ...made.rules };
    // The two flags belong to one scope each; elsewhere the server refuses them.
    delete rules.accommodation;
    delete rules.exempt;
    if (scope === "student" && accommodation) rules.accommodation = true;
    if (scope === "destination" && exempt) rules.exempt = true;
    setBusy(true);
    setProblems(NO_PROBLEMS);
    try {
      onSaved(await call<PolicyRow>("PUT", policyPath({ scope, target: chosen }), { body: { rules } }));
    } catch (error) {
      setProblems(problemsOf(error, [...RULE_FIELDS, "target"], "rules."));
    } finally {
      setBusy(false);
    }
  }

  const f = problems.fields;
  const id = adding ? "new-override" : `override-${row.scope}-${row.target}`.replace(/[^\w-]/g, "_");
  return (
    <form ref={formRef} class="admin-form" onSubmit={(event) => void submit(event)} noValidate aria-label={title}>
      {adding ? (
        <>
          <SelectField id={`${id}-scope`} label="Applies to" value={scope} options={SCOPES} onChange={(s) => { setScope(s); setProblems(NO_PROBLEMS); }} />
          {scope === "grade" && <TextField id={`${id}-grade`} label="Grade" numeric value={grade} onInput={setGrade} error={f.target} hint="A whole number, such as 9." />}
          {scope === "group" &&
            (groups !== null && groups.length === 0 ? (
              <p class="notice notice--warn">No student groups yet: a group exists once a student is in it (Users tab).</p>
            ) : (
              <SelectField
                id={`${id}-group`}
                label="Student group"
                value={group}
                options={[["", groups === null ? "Loading…" : "Choose a group"], ...(groups ?? []).map((g) => [g.name, `${g.name} (${g.students} ${g.students === 1 ? "student" : "students"})`] as const)]}
                onChange={setGroup}
                error={f.target}
              />
            ))}
          {scope === "destination" && (
            <SelectField
              id={`${id}-place`}
              label="Place"
              value={place}
              options={[["", "Choose a place"], ...destinations.map((p) => [String(p.id), p.name] as const)]}
              onChange={setPlace}
              error={f.target}
            />
          )}
          {scope === "student" && (
            <StudentPicker id={`${id}-student`} label="Student" value={student} onChange={(next) => setStudent(next.slice(-1))} error={f.target} />
          )}
        </>
      ) : (
        f.target && <p class="field__error">{f.target}</p>
      )}
      {scope === "student" && (
        <div class={`field${f.accommodation ? " field--bad" : ""}`}>
          <label class="check">
            <input type="checkbox" checked={accommodation} onChange={(e) => setAccommodation(e.currentTarget.checked)} aria-describedby={`${id}-accommodation-hint`} />
            Accommodation (IEP, 504 or medical plan)
          </label>
          <p id={`${id}-accommodation-hint`} class="field__hint">
            No daily or weekly limit, cooldown or closed time holds this student, and their pass goes to the front of a line (a full place still stays full). Only administrators see this.
          </p>
          {f.accommodation && <p class="field__error">{f.accommodation}</p>}
        </div>
      )}
      {scope === "destination" && (
        <div class="field">
          <label class="check">
            <input type="checkbox" checked={exempt} onChange={(e) => setExempt(e.currentTarget.checked)} aria-describedby={`${id}-exempt-hint`} />
            Exempt
          </label>
          <p id={`${id}-exempt-hint`} class="field__hint">
            Passes to this place are never counted or limited, and no closed time holds them (the Nurse, say).
          </p>
        </div>
      )}
      <p class="muted" id={`${id}-how`}>
        Leave a setting empty to take it from the wider rule (the school's, say). Type “none” to lift a limit here.
      </p>
      <RuleFields idPrefix={id} draft={draft} onChange={setDraft} errors={f} override />
      <FormActions message={problems.general} submit={adding ? "Add override" : "Save override"} busy={busy} onCancel={onCancel} />
    </form>
  );
}
