// A big number pad for a touch screen at the door; a real keyboard types into the field too.
import { useLayoutEffect, useRef } from "preact/hooks";

const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "back"] as const;

/** The number field, its pad, and the submit button. */
export function Keypad({
  value,
  onChange,
  onSubmit,
  submitLabel,
  busy,
}: {
  value: string;
  onChange: (value: string) => void;
  onSubmit: () => void;
  submitLabel: string;
  busy: boolean;
}) {
  const field = useRef<HTMLInputElement>(null);
  // Before the screen is painted, so the first key pressed lands in the field.
  useLayoutEffect(() => field.current?.focus(), []);
  const press = (key: (typeof KEYS)[number]) => {
    if (key === "clear") onChange("");
    else if (key === "back") onChange(value.slice(0, -1));
    else if (value.length < 32) onChange(value + key);
    field.current?.focus();
  };
  return (
    <form
      class="keypad"
      onSubmit={(event) => {
        event.preventDefault();
        if (value) onSubmit();
      }}
    >
      <label for="kiosk-number" class="visually-hidden">
        Student number
      </label>
      <input
        id="kiosk-number"
        ref={field}
        class="keypad__field"
        inputMode="numeric"
        autocomplete="off"
        maxLength={32}
        value={value}
        onInput={(event) => onChange(event.currentTarget.value.replace(/\s/g, ""))}
      />
      <div class="keypad__keys">
        {KEYS.map((key) => (
          <button
            key={key}
            type="button"
            class="btn keypad__key"
            aria-label={key === "clear" ? "Clear" : key === "back" ? "Delete last digit" : key}
            onClick={() => press(key)}
          >
            {key === "clear" ? "Clear" : key === "back" ? "⌫" : key}
          </button>
        ))}
      </div>
      <button type="submit" class="btn btn--primary btn--big btn--wide" disabled={!value || busy}>
        {submitLabel}
      </button>
    </form>
  );
}
