// The two choices every teacher's pass form starts with: which student, and where to.
import type { Place, StudentHit } from "../../api/types";

interface ChoiceProps {
  /** The form's prefix for the controls' ids ("issue" → "issue-student", "issue-place"). */
  id: string;
  value: string;
  onChange: (value: string) => void;
}

/** A student of the class, by name and number, with "· has a pass" for those out already. */
export function StudentChoice({
  id,
  value,
  onChange,
  students,
  hasPass,
}: ChoiceProps & { students: readonly StudentHit[]; hasPass?: ReadonlyMap<number, boolean> }) {
  return (
    <>
      <label for={`${id}-student`}>Student</label>
      <select id={`${id}-student`} required value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">Choose a student</option>
        {students.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
            {s.student_number ? ` (${s.student_number})` : ""}
            {hasPass && (hasPass.get(s.id) ?? s.has_open_pass) ? " · has a pass" : ""}
          </option>
        ))}
      </select>
    </>
  );
}

/** A place students can be sent to. */
export function PlaceChoice({ id, value, onChange, places }: ChoiceProps & { places: readonly Place[] }) {
  return (
    <>
      <label for={`${id}-place`}>Going to</label>
      <select id={`${id}-place`} required value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">Choose a place</option>
        {places.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
    </>
  );
}
