// A labelled form field that shows the server's message for it in place.
import type { ComponentChildren, RefObject } from "preact";
import { useEffect } from "preact/hooks";

export interface FieldProps {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: string;
  children: (describedBy: string | undefined, invalid: boolean) => ComponentChildren;
}

/** Label, control (rendered by children with its aria wiring), hint and error message. */
export function Field({ id, label, error, hint, children }: FieldProps) {
  const hintId = hint ? `${id}-hint` : "";
  const errorId = error ? `${id}-error` : "";
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div class={`field${error ? " field--bad" : ""}`}>
      <label for={id}>{label}</label>
      {children(describedBy, !!error)}
      {hint && (
        <p id={hintId} class="field__hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} class="field__error">
          {error}
        </p>
      )}
    </div>
  );
}

export interface TextFieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  error?: string | undefined;
  hint?: string;
  type?: string;
  numeric?: boolean;
  required?: boolean;
  autocomplete?: string;
  list?: string;
  placeholder?: string;
}

/** A text (or numeric) input in a Field. Numbers are typed as text so the server judges them. */
export function TextField({ id, label, value, onInput, error, hint, type = "text", numeric, required, autocomplete, list, placeholder }: TextFieldProps) {
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      {(describedBy, invalid) => (
        <input
          id={id}
          name={id}
          type={type}
          inputMode={numeric ? "numeric" : undefined}
          value={value}
          required={required}
          autocomplete={autocomplete}
          list={list}
          placeholder={placeholder}
          aria-invalid={invalid}
          aria-describedby={describedBy}
          onInput={(e) => onInput(e.currentTarget.value)}
        />
      )}
    </Field>
  );
}

export interface SelectFieldProps<T extends string> {
  id: string;
  label: string;
  value: T;
  options: readonly (readonly [T, string])[];
  onChange: (value: T) => void;
  error?: string | undefined;
  hint?: string;
}

/** A select in a Field. */
export function SelectField<T extends string>({ id, label, value, options, onChange, error, hint }: SelectFieldProps<T>) {
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      {(describedBy, invalid) => (
        <select
          id={id}
          name={id}
          value={value}
          aria-invalid={invalid}
          aria-describedby={describedBy}
          onChange={(e) => onChange(e.currentTarget.value as T)}
        >
          {options.map(([key, words]) => (
            <option key={key} value={key}>
              {words}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** After a refused save, move focus to the first field the server named (it scrolls into view). */
export function useFocusInvalid(form: RefObject<HTMLFormElement>, problems: object): void {
  useEffect(() => {
    form.current?.querySelector<HTMLElement>("[aria-invalid=true]")?.focus();
  }, [form, problems]);
}

/** The form's own message (what no field explains), announced when it appears. */
export function FormMessage({ text, good = false }: { text: string | null; good?: boolean }) {
  return (
    <p class={good && text ? "notice notice--good" : "form-error"} role={good ? "status" : "alert"}>
      {text}
    </p>
  );
}

/** A form's end: its message, the submit button (busy while saving) and Cancel. */
export function FormActions({
  message,
  submit,
  busy,
  onCancel,
}: {
  message: string | null;
  submit: string;
  busy: boolean;
  onCancel: () => void;
}) {
  return (
    <>
      <FormMessage text={message} />
      <div class="btn-row">
        <button class="btn btn--primary" type="submit" disabled={busy} aria-busy={busy}>
          {submit}
        </button>
        <button class="btn" type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </>
  );
}
