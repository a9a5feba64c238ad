// The school's own settings, passes on or off, and the school-wide policy.
import { useEffect, useRef, useState } from "preact/hooks";
import { call } from "../../api/client";
import type { SchoolPatch, SchoolSettings } from "../../api/types";
import { me } from "../../live/store";
import { messageOf } from "../../ui/Button";
import { FormMessage, TextField, useFocusInvalid } from "./Field";
import { PolicyForm } from "./PolicyForm";
import { NO_PROBLEMS, type Problems, problemsOf, wholeNumber } from "./problems";
import { ConfirmBox } from "../../ui/ConfirmBox";

const SHOWN = ["name", "timezone", "hallway_max"];
// The browser's own list of IANA zones, for suggestions (the server judges what is typed).
const ZONES: readonly string[] = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];

/** The school tab. */
export function SchoolTab() {
  const [school, setSchool] = useState<SchoolSettings | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void call<SchoolSettings>("GET", "/api/school").then(setSchool, (e) => setError(messageOf(e)));
  }, []);

  function changed(next: SchoolSettings) {
    setSchool(next);
    // The header and every screen read the school from `me`: keep it in step.
    const user = me.value;
    if (user) me.value = { ...user, school: { ...user.school, name: next.name, timezone: next.timezone, passes_enabled: next.passes_enabled } };
  }

  return (
    <div class="grid grid--2">
      <div class="stack">
        {school === null ? (
          <div class="card">{error ? <FormMessage text={error} /> : <p class="muted">Loading…</p>}</div>
        ) : (
          <>
            <PassesSwitch school={school} onChanged={changed} />
            <SettingsForm school={school} onChanged={changed} />
          </>
        )}
      </div>
      <PolicyForm />
    </div>
  );
}

/** Passes on or off, with a confirmation before switching them off. */
function PassesSwitch({ school, onChanged }: { school: SchoolSettings; onChanged: (s: SchoolSettings) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function flip(enabled: boolean) {
    setBusy(true);
    setError(null);
    try {
      onChanged(await call<SchoolSettings>("PATCH", "/api/school", { body: { passes_enabled: enabled } }));
      setConfirming(false);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  const on = school.passes_enabled;
  return (
    <section class={`card passes-switch passes-switch--${on ? "on" : "off"}`} aria-labelledby="passes-title">
      <h2 id="passes-title">Passes</h2>
      <p role="status" class={on ? "notice notice--good" : "notice notice--warn"}>
        {on ? "Passes are on." : "Passes are off: new requests are refused, and nobody in line is let out."}{" "}
        {school.out} {school.out === 1 ? "student is" : "students are"} out now.
      </p>
      {on && !confirming && (
        <button type="button" class="btn btn--danger" onClick={() => setConfirming(true)}>
          Switch passes off…
        </button>
      )}
      {on && confirming && (
        <ConfirmBox
          label="Switch passes off for the whole school?"
          yes="Yes, switch passes off"
          no="Keep passes on"
          run={() => flip(false)}
          onCancel={() => setConfirming(false)}
        >
          <strong>Switch passes off for the whole school?</strong> Students can't start passes and the line stops. Students already out stay out.
        </ConfirmBox>
      )}
      {!on && (
        <button type="button" class="btn btn--primary" disabled={busy} onClick={() => void flip(true)}>
          Switch passes on
        </button>
      )}
      <FormMessage text={error} />
    </section>
  );
}

/** Name, time zone and hallway maximum. */
function SettingsForm({ school, onChanged }: { school: SchoolSettings; onChanged: (s: SchoolSettings) => void }) {
  const [name, setName] = useState(school.name);
  const [timezone, setTimezone] = useState(school.timezone);
  const [hallwayMax, setHallwayMax] = useState(school.hallway_max?.toString() ?? "");
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusInvalid(formRef, problems);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setDone(null);
    const max = wholeNumber(hallwayMax);
    if (max === "bad") {
      setProblems({ fields: { hallway_max: "Enter a whole number, or leave it empty for no maximum." }, general: "Check the marked fields." });
      return;
    }
    const patch: SchoolPatch = {};
    if (name !== school.name) patch.name = name;
    if (timezone !== school.timezone) patch.timezone = timezone;
    if (max !== school.hallway_max) patch.hallway_max = max;
    setBusy(true);
    setProblems(NO_PROBLEMS);
    try {
      onChanged(Object.keys(patch).length ? await call<SchoolSettings>("PATCH", "/api/school", { body: patch }) : school);
      setDone("Saved.");
    } catch (error) {
      setProblems(problemsOf(error, SHOWN));
    } finally {
      setBusy(false);
    }
  }

  const f = problems.fields;
  return (
    <form ref={formRef} class="card admin-form" onSubmit={(event) => void submit(event)} noValidate aria-labelledby="school-title">
      <h2 id="school-title">School</h2>
      <TextField id="school-name" label="Name" value={name} onInput={setName} error={f.name} />
      <TextField
        id="school-timezone"
        label="Time zone"
        value={timezone}
        onInput={setTimezone}
        error={f.timezone}
        list="zones"
        hint="An IANA zone, such as America/Chicago. Change it outside school hours: today's counts and bells are read in the new zone."
      />
      <datalist id="zones">
        {ZONES.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
      <TextField id="school-hallway-max" label="Hallway maximum" numeric value={hallwayMax} onInput={setHallwayMax} error={f.hallway_max} placeholder="No maximum" hint="Most students out of class at once, school-wide. Empty: no maximum." />
      <FormMessage text={problems.general ?? done} good={!problems.general && !!done} />
      <button class="btn btn--primary" type="submit" disabled={busy} aria-busy={busy}>
        Save school settings
      </button>
    </form>
  );
}
