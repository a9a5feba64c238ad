// The nurse's and counselor's screen: requests to accept or put off, who is on the way and
// when they are expected, who is here, and today's visits so far.
import { useState } from "preact/hooks";
import { act } from "../../api/actions";
import type { Pass } from "../../api/types";
import { me, passes, places, synced } from "../../live/store";
import { passIdIn, path } from "../../router";
import { ActionButton } from "../../ui/Button";
import { timeOfDay, timeOut } from "../../ui/format";
import { isOver, PassRow } from "../../ui/PassRow";
import { ConfirmBox } from "../../ui/ConfirmBox";
import { DelayForm } from "./DelayForm";
import { expectedWords } from "./expected";
import "./care.css";

/** The visits screen for the nurse and the counselor (their places: the user's location_ids). */
export default function CareView() {
  const user = me.value!;
  const [error, setError] = useState<string | null>(null);
  // The pass whose "End" before arrival waits for a yes: it ends without a visit.
  const [ending, setEnding] = useState<number | null>(null);
  const mine = new Set(user.location_ids);
  const myPlaces = places.value.filter((p) => mine.has(p.id));
  // Which of my places wait for my yes (the others wait for the student's teacher).
  const accepting = new Set(myPlaces.filter((p) => p.approval === "destination_staff").map((p) => p.id));
  const zone = user.school.timezone;
  const focus = passIdIn(path.value);
  // The server sends these roles only passes to their places (scope "to"); filter anyway.
  const all = passes.value.filter((p) => mine.has(p.destination.id));
  const byStart = (a: Pass, b: Pass) => (a.started_at ?? a.requested_at).localeCompare(b.started_at ?? b.requested_at);
  const requests = all.filter((p) => p.state === "pending").sort((a, b) => a.requested_at.localeCompare(b.requested_at));
  const coming = all.filter((p) => p.state === "active" && !p.arrived_at).sort(byStart);
  const here = all.filter((p) => p.state === "active" && !!p.arrived_at).sort(byStart);
  const later = all
    .filter((p) => p.state === "waiting" || p.state === "scheduled")
    .sort((a, b) => (a.start_at ?? a.requested_at).localeCompare(b.start_at ?? b.requested_at));
  const finished = all
    .filter((p) => (p.state === "ended" || p.state === "expired") && p.started_at)
    .sort((a, b) => (b.ended_at ?? "").localeCompare(a.ended_at ?? ""));
  // A visit is a student who arrived; one who never did is no visit, not a 0-minute one.
  const visits = finished.filter((p) => p.arrived_at);
  const noShows = finished.filter((p) => !p.arrived_at);
  const loading = !synced.value;

  const empty = (words: string) => <p class="muted">{loading ? "Loading…" : words}</p>;

  return (
    <div class="grid grid--main-side care">
      <div class="stack">
        <h1>{myPlaces.length ? myPlaces.map((p) => p.name).join(", ") : "Your visits"}</h1>
        <p class="form-error" role="alert">
          {error}
        </p>
        <section class="card" aria-labelledby="care-requests">
          <h2 id="care-requests">Requests ({requests.length})</h2>
          {requests.length === 0 ? (
            empty("No requests.")
          ) : (
            <ul class="list" aria-live="polite">
              {requests.map((p) => (
                <PassRow key={p.id} pass={p} focused={focus === p.id} timeZone={zone}>
                  {accepting.has(p.destination.id) ? (
                    <>
                      <ActionButton kind="primary" run={() => act(p, "approve", `Accept ${p.student.name}`)} onError={setError}>
                        Accept
                      </ActionButton>
                      <DelayForm pass={p} onError={setError} />
                      <ActionButton kind="danger" run={() => act(p, "deny", `Decline ${p.student.name}`)} onError={setError}>
                        Decline
                      </ActionButton>
                    </>
                  ) : (
                    <span class="muted care__note">Their teacher approves</span>
                  )}
                </PassRow>
              ))}
            </ul>
          )}
        </section>
        <section class="card" aria-labelledby="care-coming">
          <h2 id="care-coming">On the way ({coming.length})</h2>
          {coming.length === 0 ? (
            empty("Nobody is on the way.")
          ) : (
            <ul class="list" aria-live="polite">
              {coming.map((p) => (
                <PassRow key={p.id} pass={p} focused={focus === p.id} timeZone={zone}>
                  <span class="care__expected">
                    {isOver(p) ? "⚠ " : ""}
                    <strong>{expectedWords(p, zone)}</strong>
                  </span>
                  {ending === p.id ? (
                    <ConfirmBox
                      label={`End ${p.student.name}'s pass before arrival`}
                      yes="End without a visit"
                      no="Keep waiting"
                      run={async () => {
                        await act(p, "end", `End ${p.student.name}'s pass`);
                        setEnding(null);
                      }}
                      onCancel={() => setEnding(null)}
                      onError={setError}
                    >
                      {p.student.name} hasn't arrived. End the pass? It is not counted as a visit.
                    </ConfirmBox>
                  ) : (
                    <>
                      <ActionButton kind="primary" run={() => act(p, "arrive", `${p.student.name} arrived`)} onError={setError}>
                        Arrived
                      </ActionButton>
                      <button type="button" class="btn btn--plain" onClick={() => setEnding(p.id)}>
                        End
                      </button>
                    </>
                  )}
                </PassRow>
              ))}
            </ul>
          )}
        </section>
        <section class="card" aria-labelledby="care-here">
          <h2 id="care-here">Here now ({here.length})</h2>
          {here.length === 0 ? (
            empty("Nobody is here.")
          ) : (
            <ul class="list">
              {here.map((p) => (
                <PassRow key={p.id} pass={p} focused={focus === p.id} timeZone={zone}>
                  <span class="care__expected">Arrived {timeOfDay(p.arrived_at, zone)}</span>
                  <ActionButton kind="primary" run={() => act(p, "end", `End ${p.student.name}'s visit`)} onError={setError}>
                    End visit
                  </ActionButton>
                </PassRow>
              ))}
            </ul>
          )}
        </section>
      </div>
      <aside class="stack">
        {later.length > 0 && (
          <section class="card" aria-labelledby="care-later">
            <h2 id="care-later">Later ({later.length})</h2>
            <ul class="list">
              {later.map((p) => (
                <PassRow key={p.id} pass={p} focused={focus === p.id} timeZone={zone}>
                  {p.delayed_at && p.start_at && <span class="care__expected">Delayed to {timeOfDay(p.start_at, zone)}</span>}
                </PassRow>
              ))}
            </ul>
          </section>
        )}
        <section class="card" aria-labelledby="care-today">
          <h2 id="care-today">Today's visits ({visits.length})</h2>
          {visits.length === 0 ? (
            empty("No visits yet today.")
          ) : (
            <ul class="list care__visits">
              {visits.map((p) => (
                <li key={p.id} class={`row${focus === p.id ? " row--focus" : ""}`} data-pass-id={p.id} data-state={p.state}>
                  <span class="row__main">
                    <span class="row__title">{p.student.name}</span>
                    <span class="row__meta">
                      {" "}
                      from {p.origin.name} · {timeOfDay(p.started_at, zone)}
                      {p.ended_at ? `–${timeOfDay(p.ended_at, zone)}` : ""}
                      {timeOut(p)}
                      {p.state === "expired" ? " · expired" : ""}
                    </span>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
        {noShows.length > 0 && (
          <section class="card" aria-labelledby="care-no-shows">
            <h2 id="care-no-shows">Didn't arrive ({noShows.length})</h2>
            <ul class="list care__visits">
              {noShows.map((p) => (
                <li key={p.id} class="row" data-pass-id={p.id} data-state={p.state}>
                  <span class="row__main">
                    <span class="row__title">{p.student.name}</span>
                    <span class="row__meta">
                      {" "}
                      from {p.origin.name} · left {timeOfDay(p.started_at, zone)}
                      {p.ended_at ? ` · ended ${timeOfDay(p.ended_at, zone)}` : ""}
                      {p.state === "expired" ? " · expired" : ""}
                    </span>
                  </span>
                </li>
              ))}
            </ul>
          </section>
        )}
      </aside>
    </div>
  );
}
