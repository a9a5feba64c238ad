// Create or change an encounter group: members, block or alert, last day, staff-only notes.
import { useRef, useState } from "preact/hooks";
import { call } from "../../api/client";
import type { EncounterGroup, EncounterGroupIn } from "../../api/types";
import { FormActions, TextField, useFocusInvalid } from "./Field";
import { NO_PROBLEMS, type Problems, problemsOf } from "./problems";
import { type Picked, StudentPicker } from "./StudentPicker";

const SHOWN = ["name", "mode", "member_ids", "expires_on", "notes"];

/** The form for one group (`group` null: a new one). */
export function GroupForm({ group, onSaved, onCancel }: { group: EncounterGroup | null; onSaved: (g: EncounterGroup) => void; onCancel: () => void }) {
  const key = group?.id ?? "new";
  const [name, setName] = useState(group?.name ?? "");
  const [mode, setMode] = useState<EncounterGroupIn["mode"]>(group?.mode ?? "block");
  const [members, setMembers] = useState<Picked[]>(group?.members ?? []);
  const [expires, setExpires] = useState(group?.expires_on ?? "");
  const [notes, setNotes] = useState(group?.notes ?? "");
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusInvalid(formRef, problems);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const body: EncounterGroupIn = { name, mode, member_ids: members.map((m) => m.id), expires_on: expires || null, notes };
    setBusy(true);
    setProblems(NO_PROBLEMS);
    try {
      const saved = group
        ? await call<EncounterGroup>("PATCH", `/api/encounters/groups/${group.id}`, { body })
        : await call<EncounterGroup>("POST", "/api/encounters/groups", { body });
      onSaved(saved);
    } catch (error) {
      setProblems(problemsOf(error, SHOWN));
    } finally {
      setBusy(false);
    }
  }

  const f = problems.fields;
  return (
    <form ref={formRef} class="admin-form" onSubmit={(event) => void submit(event)} noValidate aria-label={group ? `Edit ${group.name}` : "New encounter group"}>
      <TextField id={`group-${key}-name`} label="Name" value={name} onInput={setName} error={f.name} hint="Staff see it; students never do." />
      <StudentPicker id={`group-${key}-find`} label="Students kept apart (at least two)" value={members} onChange={setMembers} error={f.member_ids} />
      <fieldset class="radios">
        <legend>When one of them is out</legend>
        <label class="check">
          <input type="radio" name={`group-${key}-mode`} checked={mode === "block"} onChange={() => setMode("block")} />
          Block: the others can't start a pass
        </label>
        <label class="check">
          <input type="radio" name={`group-${key}-mode`} checked={mode === "alert"} onChange={() => setMode("alert")} />
          Alert: let them go, and tell security
        </label>
        {f.mode && <p class="field__error">{f.mode}</p>}
      </fieldset>
      <TextField id={`group-${key}-expires`} label="Last day (optional)" type="date" value={expires} onInput={setExpires} error={f.expires_on} hint="Inclusive, in the school's time zone. Empty: until deleted." />
      <div class={`field${f.notes ? " field--bad" : ""}`}>
        <label for={`group-${key}-notes`}>Notes (staff only)</label>
        <textarea id={`group-${key}-notes`} rows={3} value={notes} aria-invalid={!!f.notes} onInput={(e) => setNotes(e.currentTarget.value)} />
        {f.notes && <p class="field__error">{f.notes}</p>}
      </div>
      <FormActions message={problems.general} submit={group ? "Save group" : "Create group"} busy={busy} onCancel={onCancel} />
    </form>
  );
}
