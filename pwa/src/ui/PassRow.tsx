// One pass in a list: who, where, its state and clock, and the actions the viewer may take.
import type { ComponentChildren } from "preact";
import type { Pass } from "../api/types";
import { tick } from "../live/clock";
import { me } from "../live/store";
import { ordinal, stateWords, timeOfDay } from "./format";
import { PassHistory } from "./PassHistory";
import { Timer } from "./Timer";

/** Say whether an active pass is past its due time now. */
export function isOver(pass: Pass): boolean {
  return pass.state === "active" && !!pass.due_at && Date.parse(pass.due_at) < tick.value;
}

/** A row for staff lists: student, origin to destination, state, timer, actions, and the
 * pass's history on demand. */
export function PassRow({
  pass,
  children,
  focused = false,
  showStudent = true,
  timeZone = me.value?.school.timezone,
}: {
  pass: Pass;
  children?: ComponentChildren;
  focused?: boolean;
  showStudent?: boolean;
  /** The school's time zone, so times read as on the school's clocks. */
  timeZone?: string;
}) {
  const over = isOver(pass);
  return (
    <li
      class={`row${over ? " row--over" : ""}${focused ? " row--focus" : ""}`}
      data-pass-id={pass.id}
      data-state={pass.state}
      aria-current={focused ? "true" : undefined}
    >
      <div class="row__main">
        <div class="row__title">
          {showStudent ? pass.student.name : pass.destination.name}{" "}
          <span class={`badge badge--${over ? "over" : pass.state}`}>{stateWords(pass)}</span>
        </div>
        <div class="row__meta">
          {pass.origin.name} → {pass.destination.name}
          {pass.state === "waiting" && pass.position ? ` · ${ordinal(pass.position)} in line` : ""}
          {pass.state === "scheduled" && pass.start_at ? ` · at ${timeOfDay(pass.start_at, timeZone)}` : ""}
          {pass.state === "active" && pass.started_at ? ` · out since ${timeOfDay(pass.started_at, timeZone)}` : ""}
          {pass.arrived_at && pass.state === "active" ? " · arrived" : ""}
        </div>
        <PassHistory pass={pass} timeZone={timeZone} />
      </div>
      <Timer pass={pass} />
      {children && <div class="btn-row">{children}</div>}
    </li>
  );
}
