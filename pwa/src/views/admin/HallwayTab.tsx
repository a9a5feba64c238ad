// The hallway right now: how many are out, and every open pass. Kept small on purpose: the hall
// monitor's map and list (views/monitor) replace it when they land.
import { OPEN_STATES } from "../../api/types";
import { live, passes, synced } from "../../live/store";
import { PassRow } from "../../ui/PassRow";

/** The hallway count and the open passes, live. */
export function HallwayTab() {
  const hallway = live.value.hallway;
  const open = passes.value.filter((p) => OPEN_STATES.has(p.state));
  const out = open.filter((p) => p.state === "active");
  const others = open.filter((p) => p.state !== "active");
  return (
    <div class="stack">
      <div class="card hallway-count" aria-live="polite">
        <h2>In the hallway</h2>
        {!synced.value || !hallway ? (
          <p class="muted">Loading…</p>
        ) : (
          <p>
            <strong class="hallway-count__n">{hallway.out}</strong> out of class
            {hallway.max !== null ? ` · school maximum ${hallway.max}` : " · no school maximum"}
          </p>
        )}
      </div>
      <section class="card" aria-labelledby="hall-out-title">
        <h2 id="hall-out-title">Out now ({out.length})</h2>
        {out.length === 0 ? (
          <p class="muted">{synced.value ? "Nobody is out." : "Loading…"}</p>
        ) : (
          <ul class="list">{out.map((p) => <PassRow key={p.id} pass={p} />)}</ul>
        )}
      </section>
      {others.length > 0 && (
        <section class="card" aria-labelledby="hall-wait-title">
          <h2 id="hall-wait-title">Waiting for approval or in line ({others.length})</h2>
          <ul class="list">{others.map((p) => <PassRow key={p.id} pass={p} />)}</ul>
        </section>
      )}
    </div>
  );
}
