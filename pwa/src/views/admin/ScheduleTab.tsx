// The bell schedule: today's bells (read-only) at the top, then the whole schedule to edit:
// day types and their periods, each weekday's day type, and dates that differ.
// PUT /api/schedule replaces it whole; the server's 422 names each bad field, shown in place.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, call } from "../../api/client";
import type { Schedule } from "../../api/types";
import { messageOf } from "../../ui/Button";
import { FormMessage, SelectField, TextField, useFocusInvalid } from "./Field";
import { bodyOfSchedule, type DayTypeDraft, dayTypeField, draftOfSchedule, type OverrideDraft, type ScheduleDraft, WEEKDAYS } from "./scheduleDraft";
import { TodayCard } from "./TodayCard";
import "./schedule.css";

type Errors = Record<string, string>;

/** Sort the server's field errors by field name; what no field shows goes to the form's message. */
function errorsOf(error: unknown, shown: ReadonlySet<string>): { fields: Errors; general: string } {
  if (!(error instanceof ApiError)) return { fields: {}, general: messageOf(error) };
  const fields: Errors = {};
  const rest: string[] = [];
  for (const item of (error.details?.fields ?? []) as { field?: unknown; message?: unknown }[]) {
    const name = typeof item.field === "string" ? item.field : "";
    const text = typeof item.message === "string" ? item.message : "invalid";
    // pydantic's "String should match pattern '^([01]...'" is no help to a person.
    const words = /\.(start|end)$/.test(name) && text.startsWith("String should match pattern") ? TIME_WORDS : text;
    if (shown.has(name)) fields[name] = fields[name] ? `${fields[name]}; ${words}` : words;
    else rest.push(`${name}: ${text}`);
  }
  const general = rest.length ? `${error.message} ${rest.join("; ")}` : Object.keys(fields).length ? "Check the marked fields." : error.message;
  return { fields, general };
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const TIME_WORDS = "Use 24-hour HH:MM, such as 08:05 or 13:40.";

/** "9:05" and "9.05" become "09:05"; anything else is left for the check to name. */
function normalTime(text: string): string {
  const match = /^\s*(\d{1,2})[:.](\d{2})\s*$/.exec(text);
  return match ? `${match[1].padStart(2, "0")}:${match[2]}` : text.trim();
}

/** The draft with its times tidied, and the times still not HH:MM (by the server's field name). */
function checkTimes(draft: ScheduleDraft): { draft: ScheduleDraft; bad: Errors } {
  const bad: Errors = {};
  const dayTypes = draft.dayTypes.map((t) => ({
    ...t,
    periods: t.periods.map((p, i) => {
      const period = { ...p, start: normalTime(p.start), end: normalTime(p.end) };
      for (const key of ["start", "end"] as const) if (!TIME.test(period[key])) bad[dayTypeField(t.name, `.periods[${i}].${key}`)] = TIME_WORDS;
      return period;
    }),
  }));
  return { draft: { ...draft, dayTypes }, bad };
}

/** Every field name the form shows, as the server would name it. */
function shownFields(draft: ScheduleDraft): Set<string> {
  const names = new Set<string>(["day_types", "weekdays", "overrides"]);
  for (const t of draft.dayTypes) {
    names.add(dayTypeField(t.name));
    names.add(dayTypeField(t.name, ".periods"));
    t.periods.forEach((_, i) => ["name", "start", "end"].forEach((f) => names.add(dayTypeField(t.name, `.periods[${i}].${f}`))));
  }
  for (const day of WEEKDAYS) names.add(`weekdays.${day}`);
  draft.overrides.forEach((_, i) => ["date", "day_type", "note"].forEach((f) => names.add(`overrides[${i}].${f}`)));
  return names;
}

/** The schedule tab. */
export function ScheduleTab() {
  const [draft, setDraft] = useState<ScheduleDraft | null>(null);
  const [zone, setZone] = useState<string>("");
  const [errors, setErrors] = useState<{ fields: Errors; general: string | null }>({ fields: {}, general: null });
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [todayKey, setTodayKey] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusInvalid(formRef, errors);

  useEffect(() => {
    call<Schedule>("GET", "/api/schedule").then(
      (schedule) => {
        setDraft(draftOfSchedule(schedule));
        setZone(schedule.timezone);
      },
      (e) => setErrors({ fields: {}, general: messageOf(e) }),
    );
  }, []);

  function change(next: ScheduleDraft) {
    setDraft(next);
    setDone(null);
  }

  async function submit(event: Event) {
    event.preventDefault();
    if (!draft) return;
    setDone(null);
    const checked = checkTimes(draft);
    setDraft(checked.draft);
    if (Object.keys(checked.bad).length) {
      setErrors({ fields: checked.bad, general: "Check the marked fields." });
      return;
    }
    setBusy(true);
    setErrors({ fields: {}, general: null });
    try {
      const saved = await call<Schedule>("PUT", "/api/schedule", { body: bodyOfSchedule(checked.draft) });
      setDraft(draftOfSchedule(saved));
      setDone("Schedule saved.");
      setTodayKey((k) => k + 1); // today's bells may have changed
    } catch (error) {
      setErrors(errorsOf(error, shownFields(checked.draft)));
    } finally {
      setBusy(false);
    }
  }

  const f = errors.fields;
  const names = draft ? draft.dayTypes.map((t) => t.name.trim()).filter(Boolean) : [];
  const dayOptions = (none: string) => [["", none] as const, ...names.map((n) => [n, n] as const)];
  return (
    <div class="stack schedule">
      <TodayCard key={todayKey} />
      {draft === null ? (
        <div class="card">{errors.general ? <FormMessage text={errors.general} /> : <p class="muted">Loading…</p>}</div>
      ) : (
        <form ref={formRef} class="stack" onSubmit={(event) => void submit(event)} noValidate aria-labelledby="schedule-title">
          <div class="admin__head">
            <h2 id="schedule-title">Bell schedule</h2>
          </div>
          <p class="muted">
            Times are in the school's zone{zone ? ` (${zone})` : ""}, 24-hour. Closed minutes around the bells and periods without passes are set on the Policies and School tabs. Saving replaces the whole schedule.
          </p>
          <div class="grid grid--2">
            {draft.dayTypes.map((type, index) => (
              <DayTypeCard
                key={index}
                type={type}
                index={index}
                errors={f}
                onChange={(next) => change({ ...draft, dayTypes: draft.dayTypes.map((t, i) => (i === index ? next : t)) })}
                onRemove={draft.dayTypes.length > 1 ? () => change({ ...draft, dayTypes: draft.dayTypes.filter((_, i) => i !== index) }) : undefined}
              />
            ))}
          </div>
          <div class="btn-row">
            <button
              type="button"
              class="btn"
              onClick={() => change({ ...draft, dayTypes: [...draft.dayTypes, { name: `day-${draft.dayTypes.length + 1}`, periods: [{ name: "Period 1", start: "08:00", end: "08:50" }] }] })}
            >
              Add a day type
            </button>
          </div>
          <section class="card" aria-labelledby="weekdays-title">
            <h3 id="weekdays-title">Weekdays</h3>
            <div class="admin-form__grid">
              {WEEKDAYS.map((day) => (
                <SelectField
                  key={day}
                  id={`weekday-${day}`}
                  label={day[0].toUpperCase() + day.slice(1)}
                  value={draft.weekdays[day]}
                  options={dayOptions("No school")}
                  onChange={(v) => change({ ...draft, weekdays: { ...draft.weekdays, [day]: v } })}
                  error={f[`weekdays.${day}`]}
                />
              ))}
            </div>
          </section>
          <section class="card stack" aria-labelledby="dates-title">
            <h3 id="dates-title">Dates that differ</h3>
            {draft.overrides.length === 0 ? (
              <p class="muted">None: every date follows its weekday.</p>
            ) : (
              <ul class="schedule__list" aria-label="Dates that differ">
                {draft.overrides.map((o, i) => (
                  <OverrideRow
                    key={i}
                    override={o}
                    index={i}
                    options={dayOptions("No school")}
                    errors={f}
                    onChange={(next) => change({ ...draft, overrides: draft.overrides.map((x, j) => (j === i ? next : x)) })}
                    onRemove={() => change({ ...draft, overrides: draft.overrides.filter((_, j) => j !== i) })}
                  />
                ))}
              </ul>
            )}
            <div class="btn-row">
              <button type="button" class="btn" onClick={() => change({ ...draft, overrides: [...draft.overrides, { date: "", day_type: names[0] ?? "", note: "" }] })}>
                Add a date
              </button>
            </div>
          </section>
          <div class="card schedule__save">
            <FormMessage text={errors.general ?? done} good={!errors.general && !!done} />
            <button class="btn btn--primary" type="submit" disabled={busy} aria-busy={busy}>
              Save schedule
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

/** One day type: its name and its periods (name, start, end), each removable. */
function DayTypeCard({ type, index, errors, onChange, onRemove }: { type: DayTypeDraft; index: number; errors: Errors; onChange: (next: DayTypeDraft) => void; onRemove: (() => void) | undefined }) {
  const id = `daytype-${index}`;
  const name = type.name.trim();
  const setPeriod = (i: number, key: keyof DayTypeDraft["periods"][number], value: string) =>
    onChange({ ...type, periods: type.periods.map((p, j) => (j === i ? { ...p, [key]: value } : p)) });
  const last = type.periods[type.periods.length - 1];
  return (
    <section class="card stack" aria-label={`Day type ${name || index + 1}`}>
      <TextField
        id={`${id}-name`}
        label="Day type"
        value={type.name}
        onInput={(v) => onChange({ ...type, name: v })}
        error={errors[dayTypeField(name)]}
        hint="Lower-case letters, digits, - and _ (regular, assembly)."
      />
      {errors[dayTypeField(name, ".periods")] && <p class="field__error">{errors[dayTypeField(name, ".periods")]}</p>}
      <ol class="schedule__list">
        {type.periods.map((p, i) => {
          const field = (key: string) => dayTypeField(name, `.periods[${i}].${key}`);
          return (
            <li key={i}>
              <div class="period" role="group" aria-label={`${name} period ${i + 1}`}>
                <TextField id={`${id}-p${i}-name`} label="Name" value={p.name} onInput={(v) => setPeriod(i, "name", v)} error={errors[field("name")]} />
                <TextField id={`${id}-p${i}-start`} label="Start" value={p.start} placeholder="08:00" onInput={(v) => setPeriod(i, "start", v)} error={errors[field("start")]} />
                <TextField id={`${id}-p${i}-end`} label="End" value={p.end} placeholder="08:50" onInput={(v) => setPeriod(i, "end", v)} error={errors[field("end")]} />
                <button
                  type="button"
                  class="btn period__x"
                  aria-label={`Remove ${p.name || `period ${i + 1}`} from ${name}`}
                  disabled={type.periods.length === 1}
                  title="Remove this period"
                  onClick={() => onChange({ ...type, periods: type.periods.filter((_, j) => j !== i) })}
                >
                  <span aria-hidden="true">✕</span>
                </button>
              </div>
            </li>
          );
        })}
      </ol>
      <div class="btn-row">
        <button
          type="button"
          class="btn"
          onClick={() => onChange({ ...type, periods: [...type.periods, { name: `Period ${type.periods.length + 1}`, start: last?.end ?? "08:00", end: last?.end ?? "08:50" }] })}
        >
          Add a period to {name || "this day type"}
        </button>
        {onRemove && (
          <button type="button" class="btn btn--danger" onClick={onRemove}>
            Remove {name || "this day type"}
          </button>
        )}
      </div>
    </section>
  );
}

/** One date that follows another day type, or has no school. */
function OverrideRow({ override, index, options, errors, onChange, onRemove }: { override: OverrideDraft; index: number; options: readonly (readonly [string, string])[]; errors: Errors; onChange: (next: OverrideDraft) => void; onRemove: () => void }) {
  const id = `override-${index}`;
  const field = (key: string) => errors[`overrides[${index}].${key}`];
  return (
    <li>
      <div class="period" role="group" aria-label={`Date ${index + 1}`}>
        <TextField id={`${id}-date`} label="Date" type="date" value={override.date} onInput={(v) => onChange({ ...override, date: v })} error={field("date")} />
        <SelectField id={`${id}-type`} label="Day type" value={override.day_type} options={options} onChange={(v) => onChange({ ...override, day_type: v })} error={field("day_type")} />
        <TextField id={`${id}-note`} label="Note" value={override.note} onInput={(v) => onChange({ ...override, note: v })} error={field("note")} placeholder="Testing day" />
        <button type="button" class="btn period__x" aria-label={`Remove date ${override.date || index + 1}`} title="Remove this date" onClick={onRemove}>
          <span aria-hidden="true">✕</span>
        </button>
      </div>
    </li>
  );
}
