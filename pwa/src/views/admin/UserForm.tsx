// Create or change a user: names, login, role, and the fields of that role (a student's number,
// grade, groups and home room; staff's assigned places). Password on creation only: a reset is
// its own action.
import { useRef, useState } from "preact/hooks";
import { call } from "../../api/client";
import type { AdminUser, Role, UserCreate, UserPatch } from "../../api/types";
import { places } from "../../live/store";
import { FormActions, SelectField, TextField, useFocusInvalid } from "./Field";
import { NO_PROBLEMS, type Problems, problemsOf, wholeNumber } from "./problems";
import { ROLES } from "./words";

const SHOWN = ["login", "first_name", "last_name", "role", "password", "email", "student_number", "grade", "groups", "home_location_id", "location_ids"];

interface Draft {
  first_name: string;
  last_name: string;
  login: string;
  role: Role;
  password: string;
  email: string;
  student_number: string;
  grade: string;
  groups: string;
  home_location_id: string;
  location_ids: number[];
}

function draftOf(user: AdminUser | null): Draft {
  return {
    first_name: user?.first_name ?? "",
    last_name: user?.last_name ?? "",
    login: user?.login ?? "",
    role: user?.role ?? "student",
    password: "",
    email: user?.email ?? "",
    student_number: user?.student_number ?? "",
    grade: user?.grade?.toString() ?? "",
    groups: user?.groups.join(", ") ?? "",
    home_location_id: user?.home_location_id?.toString() ?? "",
    location_ids: user?.location_ids ?? [],
  };
}

/** The body fields a draft stands for (student fields only for students, places only for staff). */
function bodyOf(draft: Draft): UserCreate {
  const student = draft.role === "student";
  const grade = wholeNumber(draft.grade);
  return {
    login: draft.login,
    first_name: draft.first_name,
    last_name: draft.last_name,
    role: draft.role,
    password: draft.password,
    email: draft.email.trim() || null,
    student_number: student ? draft.student_number.trim() || null : null,
    grade: student && typeof grade === "number" ? grade : null,
    groups: student ? draft.groups.split(",").map((g) => g.trim()).filter(Boolean) : [],
    home_location_id: student && draft.home_location_id ? Number(draft.home_location_id) : null,
    location_ids: student ? [] : draft.location_ids,
  };
}

/** The form for one user (`user` null: a new one). */
export function UserForm({ user, onSaved, onCancel }: { user: AdminUser | null; onSaved: (u: AdminUser) => void; onCancel: () => void }) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(user));
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusInvalid(formRef, problems);
  const [busy, setBusy] = useState(false);
  const id = (name: string) => `user-${user?.id ?? "new"}-${name}`;
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const student = draft.role === "student";
  const classrooms = places.value.filter((p) => p.kind === "classroom" && p.active);
  const assignable = places.value.filter((p) => p.active);

  async function submit(event: Event) {
    event.preventDefault();
    if (student && wholeNumber(draft.grade) === "bad") {
      setProblems({ fields: { grade: "Enter a whole number." }, general: "Check the marked fields." });
      return;
    }
    const full = bodyOf(draft);
    setBusy(true);
    setProblems(NO_PROBLEMS);
    try {
      let saved: AdminUser;
      if (user) {
        const before = bodyOf({ ...draftOf(user), role: draft.role });
        const patch: UserPatch = {};
        for (const key of Object.keys(full) as (keyof UserCreate)[]) {
          if (key === "password") continue;
          if (JSON.stringify(full[key]) !== JSON.stringify(before[key]) || (key === "role" && full.role !== user.role)) {
            Object.assign(patch, { [key]: full[key] });
          }
        }
        saved = Object.keys(patch).length ? await call<AdminUser>("PATCH", `/api/users/${user.id}`, { body: patch }) : user;
      } else {
        saved = await call<AdminUser>("POST", "/api/users", { body: full });
      }
      onSaved(saved);
    } catch (error) {
      setProblems(problemsOf(error, SHOWN));
    } finally {
      setBusy(false);
    }
  }

  const f = problems.fields;
  return (
    <form ref={formRef} class="admin-form" onSubmit={(event) => void submit(event)} noValidate aria-label={user ? `Edit ${user.name}` : "New user"}>
      <div class="admin-form__grid">
        <TextField id={id("first")} label="First name" value={draft.first_name} onInput={(v) => set("first_name", v)} error={f.first_name} autocomplete="off" />
        <TextField id={id("last")} label="Last name" value={draft.last_name} onInput={(v) => set("last_name", v)} error={f.last_name} autocomplete="off" />
        <SelectField id={id("role")} label="Role" value={draft.role} options={ROLES} onChange={(v) => set("role", v)} error={f.role} hint={user ? "A new role signs them out everywhere." : undefined} />
        <TextField id={id("login")} label="Login" value={draft.login} onInput={(v) => set("login", v)} error={f.login} autocomplete="off" hint="What they sign in with: an e-mail address or a student number." />
        {!user && (
          <TextField id={id("password")} label="Password" type="password" value={draft.password} onInput={(v) => set("password", v)} error={f.password} autocomplete="new-password" hint="At least 4 characters." />
        )}
        <TextField id={id("email")} label="E-mail (optional)" type="email" value={draft.email} onInput={(v) => set("email", v)} error={f.email} autocomplete="off" />
        {student && (
          <>
            <TextField id={id("number")} label="Student number" value={draft.student_number} onInput={(v) => set("student_number", v)} error={f.student_number} hint="Typed in at a door kiosk." />
            <TextField id={id("grade")} label="Grade" numeric value={draft.grade} onInput={(v) => set("grade", v)} error={f.grade} />
            <SelectField
              id={id("home")}
              label="Home room"
              value={draft.home_location_id}
              options={[["", "None"], ...classrooms.map((p) => [String(p.id), p.name] as const)]}
              onChange={(v) => set("home_location_id", v)}
              error={f.home_location_id}
              hint="Where their passes start."
            />
            <TextField id={id("groups")} label="Student groups (optional)" value={draft.groups} onInput={(v) => set("groups", v)} error={f.groups} hint="Separated by commas, as policies name them." />
          </>
        )}
      </div>
      {!student && (
        <fieldset class="picklist">
          <legend>Assigned places</legend>
          <div class="picklist__items">
            {assignable.map((p) => (
              <label key={p.id} class="check">
                <input
                  type="checkbox"
                  checked={draft.location_ids.includes(p.id)}
                  onChange={(e) => set("location_ids", e.currentTarget.checked ? [...draft.location_ids, p.id] : draft.location_ids.filter((x) => x !== p.id))}
                />
                {p.name}
              </label>
            ))}
          </div>
          {f.location_ids && <p class="field__error">{f.location_ids}</p>}
        </fieldset>
      )}
      <FormActions message={problems.general} submit={user ? "Save user" : "Create user"} busy={busy} onCancel={onCancel} />
    </form>
  );
}
