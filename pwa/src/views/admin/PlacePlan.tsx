// Where a place is on the floor plan: drag it, move it with the arrow keys, or type its x and y
// (and size). The other places are drawn faintly so it can be put beside them.
import { useRef } from "preact/hooks";
import type { Place } from "../../api/types";
import { type Box, boxOf, PLAN } from "../monitor/out";
import { TextField } from "./Field";

/** A place's box as the form holds it: typed text, so a half-typed number is kept. */
export type BoxText = Record<keyof Box, string>;

export const BOX_FIELDS = ["x", "y", "width", "height"] as const;

// Arrow keys move by this many plan units; with Shift, by one (fine adjustment).
const KEY_STEP = 10;

/** Return the box typed, or null while any part is not a number. */
export function boxOfText(text: BoxText): Box | null {
  const nums = BOX_FIELDS.map((k) => (/^\s*\d+(\.\d+)?\s*$/.test(text[k]) ? Number(text[k]) : NaN));
  return nums.every(Number.isFinite) ? { x: nums[0], y: nums[1], width: nums[2], height: nums[3] } : null;
}

/** Return a box as the form's text. */
export function textOfBox(box: Box): BoxText {
  return { x: String(box.x), y: String(box.y), width: String(box.width), height: String(box.height) };
}

/** Keep a box on the plan: x and y move it back inside, whole units. */
export function clampBox(box: Box): Box {
  const width = Math.min(Math.max(1, Math.round(box.width)), PLAN.width);
  const height = Math.min(Math.max(1, Math.round(box.height)), PLAN.height);
  return {
    x: Math.min(Math.max(0, Math.round(box.x)), PLAN.width - width),
    y: Math.min(Math.max(0, Math.round(box.y)), PLAN.height - height),
    width,
    height,
  };
}

/** The positioning fields: a small plan to drag on, and x, y, width, height to type. */
export function PlacePlan({
  idOf,
  name,
  value,
  others,
  error,
  onChange,
}: {
  idOf: (field: string) => string;
  name: string;
  value: BoxText;
  others: readonly Place[];
  /** The server's (or the form's) message about the geometry. */
  error?: string | undefined;
  onChange: (text: BoxText) => void;
}) {
  const svg = useRef<SVGSVGElement>(null);
  const grab = useRef<{ dx: number; dy: number } | null>(null);
  const box = boxOfText(value);
  const move = (next: Box) => onChange(textOfBox(clampBox(next)));

  /** Convert a pointer's page position to plan units (the SVG scales the plan to its width). */
  function planPoint(event: PointerEvent): { x: number; y: number } | null {
    const matrix = svg.current?.getScreenCTM();
    if (!matrix) return null;
    const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
    return { x: point.x, y: point.y };
  }

  function onKeyDown(event: KeyboardEvent) {
    if (!box) return;
    const step = event.shiftKey ? 1 : KEY_STEP;
    const by: Record<string, [number, number]> = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
    };
    const delta = by[event.key];
    if (!delta) return;
    event.preventDefault();
    move({ ...box, x: box.x + delta[0], y: box.y + delta[1] });
  }

  return (
    <fieldset class="placeplan">
      <legend>On the floor plan</legend>
      <p class="muted" id={idOf("plan-help")}>
        Drag the place, or focus it and use the arrow keys (Shift: one unit at a time), or type where it goes. The plan is{" "}
        {PLAN.width} × {PLAN.height}.
      </p>
      <svg ref={svg} class="placeplan__svg" viewBox={`0 0 ${PLAN.width} ${PLAN.height}`} role="group" aria-label="Floor plan">
        <rect class="hallmap__floor" x="0" y="0" width={PLAN.width} height={PLAN.height} rx="16" />
        {others.map((other) => {
          const b = boxOf(other);
          return (
            b && (
              <g key={other.id} class="placeplan__other" aria-hidden="true">
                <rect x={b.x} y={b.y} width={b.width} height={b.height} rx="10" />
                <text x={b.x + 8} y={b.y + 22}>
                  {other.name}
                </text>
              </g>
            )
          );
        })}
        {box && (
          <g
            class="placeplan__this"
            role="slider"
            // Lower case: on SVG elements Preact sets the attribute as written.
            tabindex={0}
            aria-label={`${name || "This place"}: position`}
            aria-describedby={idOf("plan-help")}
            aria-valuetext={`x ${box.x}, y ${box.y}`}
            aria-valuenow={box.x}
            aria-valuemin={0}
            aria-valuemax={PLAN.width}
            data-plan-box
            onKeyDown={onKeyDown}
            onPointerDown={(event) => {
              const at = planPoint(event);
              if (!at) return;
              grab.current = { dx: at.x - box.x, dy: at.y - box.y };
              (event.currentTarget as Element).setPointerCapture(event.pointerId);
              event.preventDefault();
            }}
            onPointerMove={(event) => {
              const at = planPoint(event);
              if (!grab.current || !at) return;
              move({ ...box, x: at.x - grab.current.dx, y: at.y - grab.current.dy });
            }}
            onPointerUp={() => {
              grab.current = null;
            }}
          >
            <rect x={box.x} y={box.y} width={box.width} height={box.height} rx="10" />
            <text x={box.x + 8} y={box.y + 22} aria-hidden="true">
              {name || "New place"}
            </text>
          </g>
        )}
      </svg>
      <div class="admin-form__grid">
        {BOX_FIELDS.map((field) => (
          <TextField
            key={field}
            id={idOf(`geometry-${field}`)}
            label={{ x: "X (from the left)", y: "Y (from the top)", width: "Width", height: "Height" }[field]}
            numeric
            value={value[field]}
            onInput={(text) => onChange({ ...value, [field]: text })}
          />
        ))}
      </div>
      {error && (
        <p class="field__error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
