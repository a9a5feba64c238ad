// The hallway count against the school's maximum, from the live feed (staff frames carry it).
import type { Hallway } from "../../api/types";

/** "Hallway 3 of 10", with a bar and words when it is full; "Loading…" before the feed. */
export function HallwayCount({ hallway }: { hallway: Hallway | null }) {
  if (!hallway) {
    return (
      <p class="hallway muted" role="status">
        Hallway: loading…
      </p>
    );
  }
  const { out, max } = hallway;
  const full = max !== null && out >= max;
  return (
    <div class={`hallway${full ? " hallway--full" : ""}`} role="status" aria-live="polite" data-hallway-out={out}>
      <span class="hallway__words">
        Hallway: <strong>{out}</strong> {max === null ? (out === 1 ? "student out · no maximum set" : "students out · no maximum set") : `of ${max} out`}
        {full && <strong class="hallway__full"> · Full</strong>}
      </span>
      {max !== null && max > 0 && (
        <meter class="hallway__meter" min={0} max={max} high={Math.max(0, max - 1)} value={Math.min(out, max)} aria-hidden="true" />
      )}
    </div>
  );
}
