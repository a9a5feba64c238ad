// Pick students by name or number (GET /api/students?q=): chosen ones as removable chips.
import { useState } from "preact/hooks";
import { useStudentSearch } from "./studentSearch";

export interface Picked {
  id: number;
  name: string;
}

/** A search box with results to add, and the chosen students to remove. */
export function StudentPicker({ id, label, value, onChange, error }: { id: string; label: string; value: Picked[]; onChange: (next: Picked[]) => void; error?: string | undefined }) {
  const [query, setQuery] = useState("");

  const { hits, status } = useStudentSearch(query);

  const chosen = new Set(value.map((p) => p.id));
  return (
    <fieldset class={`picker${error ? " field--bad" : ""}`}>
      <legend>{label}</legend>
      {value.length > 0 ? (
        <ul class="chips" aria-label="Chosen">
          {value.map((p) => (
            <li key={p.id} class="chip">
              {p.name}
              <button type="button" class="chip__x" aria-label={`Remove ${p.name}`} onClick={() => onChange(value.filter((x) => x.id !== p.id))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">Nobody yet.</p>
      )}
      <label for={id}>Find a student</label>
      <input
        id={id}
        type="search"
        autocomplete="off"
        placeholder="Name or student number"
        value={query}
        aria-describedby={`${id}-status${error ? ` ${id}-error` : ""}`}
        onInput={(e) => setQuery(e.currentTarget.value)}
      />
      <p id={`${id}-status`} class="muted picker__status" aria-live="polite">
        {status}
      </p>
      {hits.length > 0 && (
        <ul class="picker__hits" aria-label="Matching students">
          {hits.map((s) => (
            <li key={s.id}>
              <button
                type="button"
                class="picker__hit"
                disabled={chosen.has(s.id)}
                onClick={() => {
                  onChange([...value, { id: s.id, name: s.name }]);
                  setQuery("");
                }}
              >
                <span>
                  {chosen.has(s.id) ? "Added: " : "Add "}
                  {s.name}
                </span>
                <span class="muted">
                  {s.student_number ?? s.login}
                  {s.home_location ? ` · ${s.home_location.name}` : ""}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p id={`${id}-error`} class="field__error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
