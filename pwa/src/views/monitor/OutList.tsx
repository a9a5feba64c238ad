// Everyone out of class as a list, by place, with a search box: the map's contents for anyone
// who cannot use the map (screen readers, keyboards, a phone held in one hand).
import type { Pass, Place } from "../../api/types";
import { isOver } from "../../ui/PassRow";
import { timeOfDay } from "../../ui/format";
import { Timer } from "../../ui/Timer";
import { byDestination, byOrigin, fold, isHere, matches, presenceOf } from "./out";

export interface OutListProps {
  out: readonly Pass[];
  places: readonly Place[];
  selectedId: number | null;
  onSelect: (pass: Pass) => void;
  query: string;
  onQuery: (query: string) => void;
  /** False until the first snapshot: the list says "Loading…", not "nobody". */
  synced: boolean;
  timeZone?: string;
}

/** The searchable list of every student out, grouped by the place they are at or going to:
 * places with someone overdue first, and the places nobody is at folded into one line. */
export function OutList({ out, places, selectedId, onSelect, query, onQuery, synced, timeZone }: OutListProps) {
  const groups = byDestination(out);
  const fromRoom = byOrigin(out);
  const q = fold(query);
  const shown = out.filter((p) => matches(p, query));
  const sections = places
    .map((place) => {
      const all = groups.get(place.id) ?? [];
      const placeHit = !q || fold(place.name).includes(q);
      return { place, passes: placeHit ? all : all.filter((p) => matches(p, query)), placeHit };
    })
    .filter((s) => s.placeHit || s.passes.length > 0);
  // A place is empty when nobody is there or on the way (a room: nobody out of it). Empty places
  // take one line between them, so the people out stay on screen.
  const isEmpty = (s: (typeof sections)[number]) =>
    s.place.is_destination ? s.passes.length === 0 : (fromRoom.get(s.place.id) ?? 0) === 0;
  const busy = sections.filter((s) => !isEmpty(s));
  // `out` is overdue first: a place holding one of them comes first, in that order.
  const firstOut = (s: (typeof sections)[number]) => {
    const i = s.passes.length ? out.indexOf(s.passes[0]) : -1;
    return s.passes.some(isOver) ? i : out.length + (i < 0 ? out.length : i);
  };
  const ordered = [...busy].sort((a, b) => firstOut(a) - firstOut(b));
  const empty = sections.filter(isEmpty);
  return (
    <section class="card outlist" aria-labelledby="outlist-title">
      <h2 id="outlist-title">Out of class ({out.length})</h2>
      <label for="outlist-search">Find a student or place</label>
      <input
        id="outlist-search"
        type="search"
        autocomplete="off"
        placeholder="Name or place"
        value={query}
        onInput={(e) => onQuery(e.currentTarget.value)}
      />
      <p class="muted outlist__count" role="status" aria-live="polite">
        {!synced ? "Loading…" : q ? `${shown.length} of ${out.length} out match “${query.trim()}”.` : ""}
      </p>
      {synced && sections.length === 0 && <p class="muted">Nobody and no place matches.</p>}
      {synced &&
        ordered.map(({ place, passes }) => (
          <div key={place.id} class="outlist__place" data-list-place={place.name}>
            <h3>
              {place.name}{" "}
              <span class="muted outlist__sum">
                {place.is_destination
                  ? summary(passes, place)
                  : `${fromRoom.get(place.id) ?? 0} out of this room`}
              </span>
            </h3>
            {place.is_destination && (
              <ul class="list">
                {passes.map((pass) => (
                  <OutRow
                    key={pass.id}
                    pass={pass}
                    place={place}
                    selected={pass.id === selectedId}
                    onSelect={onSelect}
                    timeZone={timeZone}
                  />
                ))}
              </ul>
            )}
          </div>
        ))}
      {synced && empty.length > 0 && (
        <p class="muted outlist__empty" data-empty-places={empty.length}>
          Nobody at: {empty.map((s) => s.place.name).join(", ")}
        </p>
      )}
    </section>
  );
}

function summary(passes: readonly Pass[], place: Place): string {
  const here = passes.filter((p) => isHere(p, place)).length;
  const coming = passes.length - here;
  return coming ? `${here} here · ${coming} on the way` : `${here} here`;
}

/** One student out: a button that shows their pass. */
function OutRow({
  pass,
  place,
  selected,
  onSelect,
  timeZone,
}: {
  pass: Pass;
  place: Place;
  selected: boolean;
  onSelect: (pass: Pass) => void;
  timeZone?: string;
}) {
  const over = isOver(pass);
  const presence = presenceOf(pass, place);
  return (
    <li
      class={`outrow${over ? " outrow--over" : ""}${selected ? " outrow--selected" : ""}`}
      data-pass-id={pass.id}
      data-over={over ? "true" : undefined}
    >
      <button type="button" class="outrow__button" aria-current={selected ? "true" : undefined} onClick={() => onSelect(pass)}>
        <span class="outrow__main">
          <span class="outrow__name">{pass.student.name}</span>
          <span class={`badge badge--${over ? "over" : presence === "coming" ? "waiting" : "active"}`}>
            {over ? "⚠ Overdue" : presence === "here" ? "Here" : presence === "presumed" ? "Here · no check-in" : "On the way"}
          </span>
          <span class="outrow__meta">
            from {pass.origin.name}
            {pass.started_at ? ` · out since ${timeOfDay(pass.started_at, timeZone)}` : ""}
          </span>
        </span>
        <Timer pass={pass} />
      </button>
    </li>
  );
}
