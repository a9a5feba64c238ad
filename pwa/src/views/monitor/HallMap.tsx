// The live floor plan: each place drawn from its geometry, with a marker per student there or
// on the way. The admin reuses it as a tab, so it takes its data and selection as props.
import type { Pass, Place } from "../../api/types";
import { isOver } from "../../ui/PassRow";
import { clock } from "../../ui/format";
import { tick } from "../../live/clock";
import { type Box, byDestination, byOrigin, initials, isHere, layout, PLAN, presenceOf, whereWords } from "./out";

const PAD = 8;
const NAME_SIZE = 17;
const NOTE_SIZE = 14;
const MARKER_R = 15;
const ROW_STEP = 36;
// Wide enough that an overdue marker's "!" flag, beside it, clears the next marker's dot.
const COL_STEP = 48;
const FLAG_R = 7;
// Where the flag sits from the marker's centre: to the right of the initials (two wide capitals
// reach about 12 units), a little high; within its own row, so no row above is covered.
const FLAG_DX = MARKER_R + 6;
const FLAG_DY = -7;
// How far right of a marker's centre its flag reaches (with the flag's stroke).
const FLAG_REACH = FLAG_DX + FLAG_R + 2;

export interface HallMapProps {
  /** Active passes (students out of class). */
  out: readonly Pass[];
  places: readonly Place[];
  selectedId: number | null;
  onSelect: (pass: Pass) => void;
  /** Tapping a place's floor (not a student) asks for that place, e.g. to filter a list. */
  onPlace?: (place: Place) => void;
}

/** The floor plan with who is where; scales to any width through its viewBox. */
export function HallMap({ out, places, selectedId, onSelect, onPlace }: HallMapProps) {
  const groups = byDestination(out);
  const fromRoom = byOrigin(out);
  const { drawn, tray } = layout(places);
  const view = viewOf([...drawn, ...tray].map((d) => d.box));
  return (
    <svg
      class="hallmap"
      viewBox={`${view.x} ${view.y} ${view.width} ${view.height}`}
      preserveAspectRatio="xMidYMid meet"
      role="group"
      aria-labelledby="hallmap-title hallmap-desc"
    >
      <title id="hallmap-title">Floor plan: who is out of class</title>
      <desc id="hallmap-desc">
        Filled circles are students at a place, dashed circles students on the way; an exclamation mark is a student
        over time. The list beside the map holds the same students.
      </desc>
      <rect class="hallmap__floor" x={view.x} y={view.y} width={view.width} height={view.height} rx="16" />
      {tray.length > 0 && (
        <text class="hallmap__tray" x={tray[0].box.x} y={tray[0].box.y - 8}>
          Not on the plan yet
        </text>
      )}
      {[...drawn, ...tray].map(({ place, box }, i) => (
        <PlaceOnMap
          key={place.id}
          unplaced={i >= drawn.length}
          place={place}
          box={box}
          passes={groups.get(place.id) ?? []}
          outFrom={fromRoom.get(place.id) ?? 0}
          selectedId={selectedId}
          onSelect={onSelect}
          onPlace={onPlace}
        />
      ))}
    </svg>
  );
}

/** The part of the plan the places use, plus a margin: a phone's few pixels go to the rooms. */
function viewOf(boxes: readonly Box[]): Box {
  if (boxes.length === 0) return { x: 0, y: 0, ...PLAN };
  const margin = 16;
  const x = Math.max(0, Math.min(...boxes.map((b) => b.x)) - margin);
  const y = Math.max(0, Math.min(...boxes.map((b) => b.y)) - margin);
  // The margin stays on the plan, unless places (the tray) lie beyond it.
  const maxRight = Math.max(...boxes.map((b) => b.x + b.width));
  const maxBottom = Math.max(...boxes.map((b) => b.y + b.height));
  const right = Math.min(Math.max(PLAN.width, maxRight), maxRight + margin);
  const bottom = Math.min(Math.max(PLAN.height, maxBottom), maxBottom + margin);
  return { x, y, width: Math.max(1, right - x), height: Math.max(1, bottom - y) };
}

/** Split a name over lines that fit the box (narrow rooms get one word a line). */
function nameLines(name: string, width: number): string[] {
  // About 0.55 em a character in the app's sans-serif.
  if (name.length * NAME_SIZE * 0.55 <= width - 2 * PAD) return [name];
  return name.split(/\s+/);
}

function placeWords(place: Place, here: number, coming: number, outFrom: number): string {
  if (!place.is_destination) return outFrom ? `${outFrom} out of this room` : "Nobody out";
  const words = hereWords(here, coming);
  return place.capacity !== null ? `${here + coming}/${place.capacity} · ${words}` : words;
}

function hereWords(here: number, coming: number): string {
  return coming ? `${here} here · ${coming} on the way` : `${here} here`;
}

function countWords(place: Place, total: number): string {
  return place.capacity !== null ? `${total}/${place.capacity} out` : `${total} out`;
}

function PlaceOnMap({
  place,
  unplaced,
  box,
  passes,
  outFrom,
  selectedId,
  onSelect,
  onPlace,
}: {
  place: Place;
  unplaced: boolean;
  box: Box;
  passes: Pass[];
  outFrom: number;
  selectedId: number | null;
  onSelect: (pass: Pass) => void;
  onPlace?: (place: Place) => void;
}) {
  // Students at the place first, then those on the way, each group overdue first.
  const at = (p: Pass) => isHere(p, place);
  const ordered = [...passes.filter(at), ...passes.filter((p) => !at(p))];
  const here = ordered.filter(at).length;
  const coming = ordered.length - here;
  const lines = nameLines(place.name, box.width);
  const note = placeWords(place, here, coming, outFrom);
  // What fits the box's width; the full words are in the group's accessible name.
  const shortNote = [note, ...(place.is_destination ? [hereWords(here, coming), countWords(place, here + coming)] : [])].find(
    (text) => text.length * NOTE_SIZE * 0.55 <= box.width - 2 * PAD,
  ) ?? countWords(place, here + coming);
  const top = PAD + lines.length * (NAME_SIZE + 2) + NOTE_SIZE + 4;
  // The last column's flag stays inside the box.
  const cols = Math.max(1, Math.floor((box.width - 2 * PAD - MARKER_R - FLAG_REACH) / COL_STEP) + 1);
  // The last row needs only the marker itself, not the gap after it.
  const rows = Math.max(0, Math.floor((box.height - top - 2 + (ROW_STEP - 2 * MARKER_R)) / ROW_STEP));
  const slots = cols * rows;
  const shown = ordered.length > slots ? ordered.slice(0, Math.max(0, slots - 1)) : ordered;
  const hidden = ordered.length - shown.length;
  const anyOver = ordered.some(isOver);
  const label = `${place.name}: ${note}${anyOver ? ", someone over time" : ""}`;
  const slot = (i: number) => ({
    cx: box.x + PAD + MARKER_R + (i % cols) * COL_STEP,
    cy: box.y + top + MARKER_R + Math.floor(i / cols) * ROW_STEP,
  });
  return (
    <g
      class={`place place--${place.kind}${place.is_destination ? "" : " place--room"}${anyOver ? " place--over" : ""}`}
      data-place={place.name}
      data-unplaced={unplaced ? "true" : undefined}
      role="group"
      aria-label={label}
    >
      <rect
        class="place__box"
        x={box.x}
        y={box.y}
        width={box.width}
        height={box.height}
        rx="10"
        onClick={onPlace ? () => onPlace(place) : undefined}
      >
        <title>{label}</title>
      </rect>
      <text class="place__name" x={box.x + PAD} y={box.y + PAD + NAME_SIZE - 2} aria-hidden="true">
        {lines.map((line, i) => (
          <tspan key={i} x={box.x + PAD} dy={i === 0 ? 0 : NAME_SIZE + 2}>
            {line}
          </tspan>
        ))}
      </text>
      <text
        class="place__note"
        x={box.x + PAD}
        y={box.y + PAD + lines.length * (NAME_SIZE + 2) + NOTE_SIZE - 2}
        aria-hidden="true"
      >
        {shortNote}
      </text>
      {shown.map((pass, i) => (
        <Marker key={pass.id} pass={pass} place={place} {...slot(i)} selected={pass.id === selectedId} onSelect={onSelect} />
      ))}
      {hidden > 0 && (
        <g class="marker marker--more" aria-hidden="true">
          <circle cx={slot(shown.length).cx} cy={slot(shown.length).cy} r={MARKER_R} />
          <text x={slot(shown.length).cx} y={slot(shown.length).cy + 5} text-anchor="middle">
            +{hidden}
          </text>
        </g>
      )}
    </g>
  );
}

/** One student on the map: filled when there (paler when presumed), dashed on the way, "!"
 * when over time. */
function Marker({
  pass,
  place,
  cx,
  cy,
  selected,
  onSelect,
}: {
  pass: Pass;
  place: Place;
  cx: number;
  cy: number;
  selected: boolean;
  onSelect: (pass: Pass) => void;
}) {
  const over = isOver(pass);
  const presence = presenceOf(pass, place);
  const here = presence !== "coming";
  const left = pass.due_at ? (Date.parse(pass.due_at) - tick.value) / 1000 : null;
  const time = left === null ? "" : over ? `, ${clock(-left)} over time` : `, ${clock(left)} left`;
  return (
    <g
      class={`marker marker--${here ? "here" : "coming"}${presence === "presumed" ? " marker--presumed" : ""}${over ? " marker--over" : ""}${selected ? " marker--selected" : ""}`}
      data-pass-id={pass.id}
      data-over={over ? "true" : undefined}
      role="button"
      // Lower case: on SVG elements Preact sets the attribute as written, and only "tabindex" counts.
      tabindex={0}
      // Starts with the initials drawn on it, so "click E C" works for speech input (WCAG 2.5.3).
      aria-label={`${initials(pass.student.name)}: ${pass.student.name}, ${whereWords(pass, place)}${time}${over ? ", overdue" : ""}`}
      aria-current={selected ? "true" : undefined}
      onClick={() => onSelect(pass)}
      onKeyDown={(event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          onSelect(pass);
        }
      }}
    >
      <title>{`${pass.student.name}, ${whereWords(pass, place)}${over ? " (over time)" : ""}`}</title>
      <circle class="marker__focus" cx={cx} cy={cy} r={MARKER_R + 6} />
      {selected && <circle class="marker__ring" cx={cx} cy={cy} r={MARKER_R + 5} />}
      <circle class="marker__dot" cx={cx} cy={cy} r={MARKER_R} />
      <text class="marker__text" x={cx} y={cy + 5} text-anchor="middle" aria-hidden="true">
        {initials(pass.student.name)}
      </text>
      {over && (
        <g class="marker__flag" aria-hidden="true">
          <circle cx={cx + FLAG_DX} cy={cy + FLAG_DY} r={FLAG_R} />
          <text x={cx + FLAG_DX} y={cy + FLAG_DY + 5} text-anchor="middle">
            !
          </text>
        </g>
      )}
    </g>
  );
}
