// A pass's clock: counts down to due_at, then counts up in red once overdue.
import { tick } from "../live/clock";
import type { Pass } from "../api/types";
import { clock } from "./format";

/** Show the time left (or over) for an active pass; nothing for other states. */
export function Timer({ pass, big = false }: { pass: Pass; big?: boolean }) {
  if (pass.state !== "active" || !pass.due_at) return null;
  const left = (Date.parse(pass.due_at) - tick.value) / 1000;
  const over = left < 0;
  const text = over ? `+${clock(-left)}` : clock(left);
  return (
    <span
      class={`timer${over ? " timer--over" : ""}${big ? " timer--big" : ""}`}
      role="timer"
      aria-label={over ? `${clock(-left)} over time` : `${clock(left)} left`}
    >
      {text}
      <span class="timer__hint">{over ? " over" : " left"}</span>
    </span>
  );
}
