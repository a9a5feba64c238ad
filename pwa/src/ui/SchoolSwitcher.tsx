// The signed-in person's other schools of the district: switching starts a session there.
import { useState } from "preact/hooks";
import { mySchools, switchSchool } from "../live/store";
import { messageOf } from "./Button";

const ROLE_WORDS: Record<string, string> = {
  student: "student",
  teacher: "teacher",
  substitute: "substitute",
  nurse: "nurse",
  counselor: "counselor",
  security: "hall monitor",
  admin: "admin",
  district_admin: "district admin",
};

/** A menu of the person's other schools; nothing when they have none. */
export function SchoolSwitcher() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const schools = mySchools.value;
  if (schools.length === 0) return null;

  async function choose(value: string) {
    if (!value) return;
    setBusy(true);
    setError(null);
    try {
      await switchSchool(Number(value));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <span class="school-switcher">
      <label class="visually-hidden" for="school-switcher">
        Switch school
      </label>
      <select id="school-switcher" disabled={busy} value="" onChange={(e) => void choose(e.currentTarget.value)}>
        <option value="">Switch school…</option>
        {schools.map((s) => (
          <option key={s.id} value={String(s.id)}>
            {s.name} ({ROLE_WORDS[s.role] ?? s.role})
          </option>
        ))}
      </select>
      {error && (
        <span class="field__error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
