// Add or change a place: every setting the API takes, its spot on the floor plan included, with
// the server's message for a bad value shown next to the field.
import { useRef, useState } from "preact/hooks";
import { call } from "../../api/client";
import type { Approval, Place, PlaceCreate, PlaceKind, PlacePatch } from "../../api/types";
import { places } from "../../live/store";
import { boxOf, PLAN, SLOT } from "../monitor/out";
import { FormActions, SelectField, TextField, useFocusInvalid } from "./Field";
import { type BoxText, boxOfText, PlacePlan, textOfBox } from "./PlacePlan";
import { NO_PROBLEMS, type Problems, problemsOf, wholeNumber } from "./problems";
import { staff } from "./staff";
import { APPROVALS, KINDS } from "./words";

const SHOWN = ["name", "kind", "capacity", "max_out", "approval", "default_minutes", "is_destination", "staff_ids", "geometry"];

interface Draft {
  name: string;
  kind: PlaceKind;
  capacity: string;
  max_out: string;
  approval: Approval;
  default_minutes: string;
  is_destination: boolean;
  staff_ids: number[];
  /** Null: not on the floor plan (the live map keeps it in a tray under the plan). */
  geometry: BoxText | null;
}

// Where a place goes when first put on the plan: the plan's middle, in a new place's size.
const MIDDLE = {
  x: Math.round((PLAN.width - SLOT.width) / 2),
  y: Math.round((PLAN.height - SLOT.height) / 2),
  width: SLOT.width,
  height: SLOT.height,
};

function floorOf(place: Place | null): string | null {
  const floor = (place?.geometry as { floor?: unknown } | undefined)?.floor;
  return typeof floor === "string" ? floor : null;
}

function draftOf(place: Place | null): Draft {
  return {
    name: place?.name ?? "",
    kind: place?.kind ?? "other",
    capacity: place?.capacity?.toString() ?? "",
    max_out: place?.max_out?.toString() ?? "",
    approval: place?.approval ?? "none",
    default_minutes: place?.default_minutes.toString() ?? "5",
    is_destination: place?.is_destination ?? true,
    staff_ids: place?.staff_ids ?? [],
    geometry: drawnAt(place),
  };
}

function drawnAt(place: Place | null): BoxText | null {
  const box = place && boxOf(place);
  return box ? textOfBox(box) : null;
}

/** The form for one place (`place` null: a new one); calls onSaved with the server's answer. */
export function PlaceForm({ place, onSaved, onCancel }: { place: Place | null; onSaved: (p: Place) => void; onCancel: () => void }) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(place));
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusInvalid(formRef, problems);
  const [busy, setBusy] = useState(false);
  const id = (name: string) => `place-${place?.id ?? "new"}-${name}`;
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  async function submit(event: Event) {
    event.preventDefault();
    const numbers = { capacity: wholeNumber(draft.capacity), max_out: wholeNumber(draft.max_out), default_minutes: wholeNumber(draft.default_minutes) };
    const bad = Object.entries(numbers).filter(([, v]) => v === "bad");
    const box = draft.geometry && boxOfText(draft.geometry);
    if (draft.geometry && !box) {
      setProblems({ fields: { geometry: "Enter numbers for x, y, width and height." }, general: "Check the marked fields." });
      return;
    }
    if (bad.length > 0) {
      setProblems({ fields: Object.fromEntries(bad.map(([k]) => [k, "Enter a whole number."])), general: "Check the marked fields." });
      return;
    }
    const full: PlaceCreate = {
      name: draft.name,
      kind: draft.kind,
      capacity: numbers.capacity as number | null,
      max_out: numbers.max_out as number | null,
      approval: draft.approval,
      default_minutes: numbers.default_minutes as number,
      is_destination: draft.is_destination,
      staff_ids: draft.staff_ids,
      // Keep the floor a place was drawn on (the plan editor moves it on that floor).
      geometry: box ? { ...box, floor: floorOf(place) } : null,
    };
    setBusy(true);
    setProblems(NO_PROBLEMS);
    try {
      let saved: Place;
      if (place) {
        // Send only what changed: the server changes only the fields sent.
        const was = draftOf(place);
        const patch: PlacePatch = {};
        for (const key of Object.keys(was) as (keyof Draft)[]) {
          if (JSON.stringify(was[key]) !== JSON.stringify(draft[key])) Object.assign(patch, { [key]: full[key] });
        }
        saved = Object.keys(patch).length ? await call<Place>("PATCH", `/api/locations/${place.id}`, { body: patch }) : place;
      } else {
        const { geometry, ...rest } = full;
        saved = await call<Place>("POST", "/api/locations", { body: geometry ? full : rest });
      }
      onSaved(saved);
    } catch (error) {
      setProblems(problemsOf(error, SHOWN));
    } finally {
      setBusy(false);
    }
  }

  const f = problems.fields;
  const everyone = staff.value;
  const others = places.value.filter((p) => p.id !== place?.id);
  return (
    <form ref={formRef} class="admin-form" onSubmit={(event) => void submit(event)} noValidate aria-label={place ? `Edit ${place.name}` : "New place"}>
      <div class="admin-form__grid">
        <TextField id={id("name")} label="Name" value={draft.name} onInput={(v) => set("name", v)} error={f.name} required />
        <SelectField id={id("kind")} label="Kind" value={draft.kind} options={KINDS} onChange={(v) => set("kind", v)} error={f.kind} />
        <TextField id={id("capacity")} label="Capacity" numeric value={draft.capacity} onInput={(v) => set("capacity", v)} error={f.capacity} placeholder="No limit" hint="Students there at once. Empty: no limit." />
        <TextField id={id("max_out")} label="Max out of this room" numeric value={draft.max_out} onInput={(v) => set("max_out", v)} error={f.max_out} placeholder="No limit" hint="Classrooms: most students out at once. Empty: no limit." />
        <SelectField id={id("approval")} label="Who approves" value={draft.approval} options={APPROVALS} onChange={(v) => set("approval", v)} error={f.approval} />
        <TextField id={id("default_minutes")} label="Minutes per pass" numeric value={draft.default_minutes} onInput={(v) => set("default_minutes", v)} error={f.default_minutes} hint="1 to 240." />
      </div>
      <label class="check">
        <input type="checkbox" checked={draft.is_destination} onChange={(e) => set("is_destination", e.currentTarget.checked)} />
        Students can ask to go here
      </label>
      {f.is_destination && <p class="field__error">{f.is_destination}</p>}
      <fieldset class="picklist" aria-describedby={f.staff_ids ? id("staff-error") : undefined}>
        <legend>Staff of this place</legend>
        {everyone === null ? (
          <p class="muted">Loading staff…</p>
        ) : (
          <div class="picklist__items">
            {everyone.map((u) => (
              <label key={u.id} class="check">
                <input
                  type="checkbox"
                  checked={draft.staff_ids.includes(u.id)}
                  onChange={(e) =>
                    set("staff_ids", e.currentTarget.checked ? [...draft.staff_ids, u.id] : draft.staff_ids.filter((x) => x !== u.id))
                  }
                />
                {u.name} <span class="muted">· {u.role}</span>
              </label>
            ))}
          </div>
        )}
        {f.staff_ids && (
          <p id={id("staff-error")} class="field__error">
            {f.staff_ids}
          </p>
        )}
      </fieldset>
      {draft.geometry ? (
        <PlacePlan idOf={id} name={draft.name} value={draft.geometry} others={others} error={f.geometry} onChange={(text) => set("geometry", text)} />
      ) : (
        <div class="placeplan placeplan--none">
          <p class="muted">Not on the floor plan yet: the live map shows it in a tray under the plan.</p>
          <button type="button" class="btn" onClick={() => set("geometry", textOfBox(MIDDLE))}>
            Put it on the floor plan
          </button>
        </div>
      )}
      <FormActions message={problems.general} submit={place ? "Save changes" : "Add place"} busy={busy} onCancel={onCancel} />
    </form>
  );
}

