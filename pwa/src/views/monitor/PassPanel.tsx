// The pass of the student tapped on the map or in the list (or opened from a notification).
import { useEffect, useRef, useState } from "preact/hooks";
import { act } from "../../api/actions";
import { call } from "../../api/client";
import type { Pass } from "../../api/types";
import { keepPass, live, me, places, synced } from "../../live/store";
import { ActionButton } from "../../ui/Button";
import { LiveMark } from "../../ui/PassCard";
import { isOver } from "../../ui/PassRow";
import { stateWords, timeOfDay } from "../../ui/format";
import { PassHistory } from "../../ui/PassHistory";
import { Timer } from "../../ui/Timer";
import { presenceOf, whereWords } from "./out";

/** Show one pass by id: who, where, since when, its clock, its history, and End for those who
 * may. */
export function PassPanel({
  passId,
  onClose,
  canEnd,
  timeZone,
}: {
  passId: number;
  onClose: () => void;
  canEnd: boolean;
  timeZone?: string;
}) {
  const pass = live.value.passes.get(passId) ?? null;
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  // A pass from a notification may predate the snapshot (yesterday's): ask the server for it.
  // Whether the pass is known, not the pass itself: its every update needs no new request.
  const known = pass !== null;
  const isSynced = synced.value;
  useEffect(() => {
    setMissing(false);
    setError(null);
    if (known || !isSynced) return;
    let current = true;
    call<Pass>("GET", `/api/passes/${passId}`)
      .then((found) => current && keepPass(found))
      .catch(() => current && setMissing(true));
    return () => {
      current = false;
    };
  }, [passId, known, isSynced]);

  // Move focus to the pass shown, so a screen reader reads what the tap opened.
  useEffect(() => heading.current?.focus(), [passId]);

  const over = pass ? isOver(pass) : false;
  const place = pass ? places.value.find((p) => p.id === pass.destination.id) : undefined;
  const presence = pass ? presenceOf(pass, place) : "coming";
  return (
    <section class={`card passpanel${over ? " passpanel--over" : ""}`} aria-labelledby="passpanel-title" data-pass-id={passId}>
      <div class="passpanel__head">
        <h2 id="passpanel-title" ref={heading} tabIndex={-1}>
          {pass ? pass.student.name : missing ? "Pass not found" : "Loading…"}
        </h2>
        <button type="button" class="btn btn--plain passpanel__close" onClick={onClose}>
          Close
        </button>
      </div>
      {missing && !pass && <p class="muted">This pass is not one you can see, or it no longer exists.</p>}
      {pass && (
        <>
          <p>
            <span class={`badge badge--${over ? "over" : pass.state}`}>{over ? "⚠ Overdue" : stateWords(pass)}</span>{" "}
            {pass.state === "active" ? whereWords(pass, place) : `${pass.origin.name} → ${pass.destination.name}`}
          </p>
          <dl class="passpanel__facts">
            <dt>From</dt>
            <dd>{pass.origin.name}</dd>
            <dt>To</dt>
            <dd>{pass.destination.name}</dd>
            {pass.started_at && (
              <>
                <dt>Out since</dt>
                <dd>{timeOfDay(pass.started_at, timeZone)}</dd>
              </>
            )}
            {pass.state === "active" && (
              <>
                <dt>Arrived</dt>
                <dd>
                  {presence === "here"
                    ? timeOfDay(pass.arrived_at, timeZone)
                    : presence === "presumed"
                      ? "Presumed: this place has no check-in"
                      : "Not yet"}
                </dd>
              </>
            )}
            {pass.due_at && pass.state === "active" && (
              <>
                <dt>Due back</dt>
                <dd>
                  {timeOfDay(pass.due_at, timeZone)} <Timer pass={pass} />
                </dd>
              </>
            )}
            {pass.ended_at && (
              <>
                <dt>Ended</dt>
                <dd>{timeOfDay(pass.ended_at, timeZone)}</dd>
              </>
            )}
            {pass.check_code && pass.state === "active" && (
              <>
                <dt>Check</dt>
                <dd class="passpanel__check" data-testid="check">
                  {/* The student's card shows the same code and the same mark at this moment. */}
                  <strong>{pass.check_code}</strong>
                  {me.value?.school.live_mark && <LiveMark seed={me.value.school.live_mark} size={32} />}
                </dd>
              </>
            )}
          </dl>
          <PassHistory pass={pass} timeZone={timeZone} />
          {canEnd && pass.state === "active" && (
            <div class="btn-row">
              <ActionButton kind="danger" run={() => act(pass, "end", `End ${pass.student.name}'s pass`)} onError={setError}>
                End pass
              </ActionButton>
            </div>
          )}
          <p class="form-error" role="alert">
            {error}
          </p>
        </>
      )}
    </section>
  );
}
