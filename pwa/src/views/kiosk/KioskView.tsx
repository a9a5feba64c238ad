// The door kiosk: a student types their number, says "yes, that's me", picks where they go,
// and goes; or says they're back. A shared screen: it shows a first name and last initial at
// most, and forgets at once.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { ApiError, call, NetworkError, newKey } from "../../api/client";
import type { KioskLookup, Pass, Place } from "../../api/types";
import { me, passes, places, school } from "../../live/store";
import { messageOf } from "../../ui/Button";
import { ordinal, stateWords, timeOfDay } from "../../ui/format";
import { placeNote } from "../../ui/placeNote";
import { Timer } from "../../ui/Timer";
import { Keypad } from "./Keypad";
import "./kiosk.css";

// Who the number is (the server's lookup): "Abigail L." and the signed confirmation a pass
// needs, asked before any place is shown so a mistyped number never sends a classmate out.
type Found = KioskLookup & { number: string };
type Step =
  | { kind: "number"; going: boolean }
  | { kind: "confirm"; found: Found }
  | { kind: "place"; found: Found }
  | { kind: "done"; text: string; good: boolean };

// A kiosk screen left half-way (a number typed, no place picked) clears itself: the next
// student must not see or reuse it.
const IDLE_MS = 20_000;
const DONE_MS = 6_000;

/** The whole kiosk screen. */
export default function KioskView() {
  const [step, setStep] = useState<Step>({ kind: "number", going: true });
  const [number, setNumber] = useState("");
  const [busy, setBusy] = useState(false);
  const idle = useRef<number | undefined>(undefined);

  const reset = () => {
    setNumber("");
    setStep({ kind: "number", going: true });
  };
  useEffect(() => {
    window.clearTimeout(idle.current);
    if (step.kind !== "number" || number) idle.current = window.setTimeout(reset, step.kind === "done" ? DONE_MS : IDLE_MS);
    return () => window.clearTimeout(idle.current);
  }, [step, number]);

  async function finish(run: () => Promise<Pass>, words: (pass: Pass) => string) {
    setBusy(true);
    try {
      const pass = await run();
      setStep({ kind: "done", text: words(pass), good: true });
    } catch (error) {
      setStep({ kind: "done", text: kioskProblem(error), good: false });
    } finally {
      setNumber("");
      setBusy(false);
    }
  }

  async function lookUp(studentNumber: string) {
    setBusy(true);
    try {
      const answer = await call<KioskLookup>("POST", "/api/kiosk/lookup", { body: { student_number: studentNumber } });
      setStep({ kind: "confirm", found: { ...answer, number: studentNumber } });
    } catch (error) {
      setStep({ kind: "done", text: kioskProblem(error), good: false });
    } finally {
      setNumber("");
      setBusy(false);
    }
  }

  const goOut = (place: Place, found: Found) =>
    finish(
      () =>
        call<Pass>("POST", "/api/kiosk/passes", {
          body: {
            student_number: found.number,
            destination_id: place.id,
            confirmation: found.confirmation,
            idempotency_key: newKey(),
          },
        }),
      (pass) => goingWords(pass, place),
    );
  const comeBack = (studentNumber: string) =>
    finish(
      () => call<Pass>("POST", "/api/kiosk/return", { body: { student_number: studentNumber } }),
      (pass) => `Welcome back, ${pass.student.name.replace(/\.$/, "")}.`,
    );

  const out = passes.value.filter((p) => p.state === "active");
  return (
    <div class="kiosk grid grid--main-side">
      <section class="card kiosk__panel" aria-labelledby="kiosk-title">
        {step.kind === "number" && (
          <>
            <div class="kiosk__modes" role="group" aria-label="What are you doing?">
              <button
                type="button"
                class={`btn btn--big${step.going ? " btn--primary" : ""}`}
                aria-pressed={step.going}
                onClick={() => setStep({ kind: "number", going: true })}
              >
                Going out
              </button>
              <button
                type="button"
                class={`btn btn--big${!step.going ? " btn--primary" : ""}`}
                aria-pressed={!step.going}
                onClick={() => setStep({ kind: "number", going: false })}
              >
                I'm back
              </button>
            </div>
            <h1 id="kiosk-title">{step.going ? "Type your student number" : "Welcome back: type your number"}</h1>
            <Keypad
              key={String(step.going)}
              value={number}
              onChange={setNumber}
              busy={busy}
              submitLabel={step.going ? "Next" : "I'm back"}
              onSubmit={() => void (step.going ? lookUp(number) : comeBack(number))}
            />
          </>
        )}
        {step.kind === "confirm" && (
          <Confirm
            name={step.found.name}
            onYes={() => setStep({ kind: "place", found: step.found })}
            onNo={reset}
          />
        )}
        {step.kind === "place" && (
          <>
            <h1 id="kiosk-title">Where are you going?</h1>
            <ul class="tiles" role="list">
              {places.value
                .filter((p) => p.is_destination && p.active)
                .map((place) => (
                  <li key={place.id}>
                    <button type="button" class="tile" disabled={busy} onClick={() => void goOut(place, step.found)}>
                      <span class="tile__name">{place.name}</span>
                      <span class="tile__note">{placeNote(place, school.value?.hallway_full ?? false)}</span>
                    </button>
                  </li>
                ))}
            </ul>
            <button type="button" class="btn kiosk__back" onClick={reset}>
              Start again
            </button>
          </>
        )}
        {step.kind === "done" && (
          <div class={`kiosk__done notice ${step.good ? "notice--good" : "notice--bad"}`} role="status">
            <h1 id="kiosk-title">{step.text}</h1>
            <button type="button" class="btn btn--big" onClick={reset}>
              Done
            </button>
          </div>
        )}
      </section>
      <aside class="card" aria-labelledby="kiosk-out">
        <h2 id="kiosk-out">Out from this room</h2>
        {out.length === 0 ? (
          <p class="muted">Nobody is out.</p>
        ) : (
          <ul class="list">
            {out.map((p) => (
              <li key={p.id} class="row" data-pass-id={p.id}>
                <span class="row__main">
                  <span class="row__title">{p.student.name}</span>
                  <span class="row__meta"> · {p.destination.name}</span>
                </span>
                <Timer pass={p} />
              </li>
            ))}
          </ul>
        )}
      </aside>
    </div>
  );
}

/** "Are you Abigail L.?": the student says it is them before any place is shown. */
function Confirm({ name, onYes, onNo }: { name: string; onYes: () => void; onNo: () => void }) {
  const question = useRef<HTMLHeadingElement>(null);
  // Focus the question, not "Yes": a screen reader reads the name out, and an Enter pressed
  // twice on the number can't answer for the student before they have read it.
  useLayoutEffect(() => question.current?.focus(), []);
  return (
    <div class="kiosk__confirm">
      <h1 id="kiosk-title" ref={question} tabIndex={-1}>
        Are you {name}?
      </h1>
      <div class="btn-row">
        <button type="button" class="btn btn--primary btn--big" onClick={onYes}>
          Yes, that's me
        </button>
        <button type="button" class="btn btn--big" onClick={onNo}>
          No
        </button>
      </div>
    </div>
  );
}

/** Say what happened to the student's request, in a sentence for the door. */
function goingWords(pass: Pass, place: Place): string {
  const name = pass.student.name;
  if (pass.state === "active") return `${name}: go to ${place.name}. Back by ${timeOfDay(pass.due_at, me.value?.school.timezone)}.`;
  if (pass.state === "waiting" && pass.position) {
    return `${name}: you're ${ordinal(pass.position)} in line for ${place.name}. Wait in class.`;
  }
  if (pass.state === "pending") return `${name}: ${place.name} asked. Wait for your teacher.`;
  return `${name}: ${place.name}, ${stateWords(pass).toLowerCase()}.`;
}

/** Say what went wrong in words for a student at the door (never naming anyone). */
function kioskProblem(error: unknown): string {
  if (error instanceof NetworkError) return "This door can't reach the school's server. Ask your teacher.";
  if (error instanceof ApiError && error.code === "rate_limited") return "Too many numbers at this door. Wait a minute.";
  return messageOf(error);
}
