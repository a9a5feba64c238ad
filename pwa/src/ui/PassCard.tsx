// The student's pass as a hall monitor checks it at a glance: who, where from and to, when
// they left and are due back, a running clock, the check code, and a live mark that moves.
import { act, queuedFor } from "../api/actions";
import type { Pass, Verb } from "../api/types";
import { tick } from "../live/clock";
import { ActionButton } from "./Button";
import { clock, lineReasonWords, ordinal, stateWords, timeOfDay } from "./format";
import { Timer } from "./Timer";
import "./passCard.css";

// The mark changes this often, so a screenshot is visibly stale within seconds, yet a monitor
// holding the two screens side by side has time to compare them (same server clock, same seed).
export const MARK_STEP_MS = 4000;

const MARK_COLOURS = [
  { name: "blue", value: "#1d4ed8" },
  { name: "purple", value: "#7e22ce" },
  { name: "teal", value: "#0f766e" },
  { name: "orange", value: "#c2410c" },
  { name: "pink", value: "#be185d" },
  { name: "black", value: "#111827" },
] as const;
const MARK_SHAPES = ["circle", "square", "triangle", "diamond"] as const;
const MARK_KINDS = MARK_COLOURS.length * MARK_SHAPES.length;

// What a queued verb is doing, as the card says it until it is sent.
const PENDING_WORDS: Partial<Record<Verb, string>> = {
  end: "Ending",
  cancel: "Cancelling",
  take: "Taking your place",
  arrive: "Checking in",
};

/** FNV-1a: a small, stable string hash (no crypto needed: the seed is already unguessable). */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Return which of the marks (colour x shape) a seed shows at a step; never the last step's. */
export function markAt(seed: string, step: number): number {
  const here = hash(`${seed}:${step}`) % MARK_KINDS;
  const before = hash(`${seed}:${step - 1}`) % MARK_KINDS;
  return here === before ? (here + 1) % MARK_KINDS : here;
}

/** The school's live mark now: a coloured shape from the day's seed and the server clock. */
export function LiveMark({ seed, size = 56 }: { seed: string; size?: number }) {
  const step = Math.floor(tick.value / MARK_STEP_MS);
  const kind = markAt(seed, step);
  const colour = MARK_COLOURS[kind % MARK_COLOURS.length];
  const shape = MARK_SHAPES[Math.floor(kind / MARK_COLOURS.length)];
  return (
    <svg
      class="live-mark"
      width={size}
      height={size}
      viewBox="0 0 40 40"
      role="img"
      aria-label={`Live mark: ${colour.name} ${shape}`}
      data-mark={kind}
      data-step={step}
    >
      {shape === "circle" && <circle cx="20" cy="20" r="17" fill={colour.value} />}
      {shape === "square" && <rect x="4" y="4" width="32" height="32" rx="3" fill={colour.value} />}
      {shape === "triangle" && <polygon points="20,3 37,36 3,36" fill={colour.value} />}
      {shape === "diamond" && <polygon points="20,2 38,20 20,38 2,20" fill={colour.value} />}
    </svg>
  );
}

/** Say whether an active pass is past its due time (by the server's clock). */
export function isOverdue(pass: Pass, now: number): boolean {
  if (pass.state !== "active") return false;
  return pass.overdue_at !== null || (pass.due_at !== null && Date.parse(pass.due_at) <= now);
}

export interface PassCardProps {
  pass: Pass;
  timeZone: string;
  /** The school's live-mark seed for today (GET /api/me). */
  liveMark: string;
  onError: (message: string) => void;
}

/** The student's open pass: the card a hall monitor checks, and its verbs. */
export function PassCard({ pass, timeZone, liveMark, onError }: PassCardProps) {
  const now = tick.value;
  const overdue = isOverdue(pass, now);
  const waiting = queuedFor(pass.id);
  const pendingVerb = waiting ? ((waiting.path.split("/").pop() ?? "") as Verb) : null;
  const offerLeft = pass.offer_expires_at ? (Date.parse(pass.offer_expires_at) - now) / 1000 : null;
  const state = overdue ? "overdue" : pass.state;
  return (
    <section
      class={`card pass-now pass-card pass-now--${pass.state}${overdue ? " pass-card--overdue" : ""}`}
      aria-labelledby="pass-title"
      data-pass-id={pass.id}
    >
      <div class="pass-card__top">
        <div class="pass-card__who">
          <p class="pass-card__name" data-testid="pass-student">
            {pass.student.name}
          </p>
          <span class={`badge badge--${state}`} data-testid="pass-state">
            {overdue ? "Overdue" : stateWords(pass)}
          </span>
        </div>
        <LiveMark seed={liveMark} />
      </div>
      <h2 id="pass-title" class="pass-card__to">
        {pass.destination.name}
      </h2>
      <dl class="pass-card__facts">
        <div>
          <dt>From</dt>
          <dd>{pass.origin.name}</dd>
        </div>
        {pass.started_at && (
          <div>
            <dt>Left at</dt>
            <dd data-testid="pass-left">{timeOfDay(pass.started_at, timeZone)}</dd>
          </div>
        )}
        {pass.state === "active" && pass.due_at && (
          <div>
            <dt>Due back</dt>
            <dd data-testid="pass-due">{timeOfDay(pass.due_at, timeZone)}</dd>
          </div>
        )}
        {pass.check_code && (
          <div>
            <dt>Check code</dt>
            <dd class="pass-card__code" data-testid="pass-code">
              {pass.check_code}
            </dd>
          </div>
        )}
        <div>
          <dt>Now</dt>
          <dd class="pass-card__now">
            {/* A clock, not the pass's timer: the one role="timer" on the card counts down. */}
            <time data-testid="pass-now">{timeOfDay(now, timeZone, true)}</time>
          </dd>
        </div>
      </dl>
      {overdue && (
        <p class="notice notice--bad" role="alert">
          Overdue: head back to class now.
        </p>
      )}
      {pass.state === "active" && <Timer pass={pass} big />}
      {pass.state === "pending" && <p>Waiting for approval. You can stay in class until then.</p>}
      {pass.state === "waiting" && offerLeft !== null && offerLeft > 0 && (
        <p class="notice notice--good" role="alert">
          It's your turn. Take your place within {clock(offerLeft)}.
        </p>
      )}
      {pass.state === "waiting" && offerLeft === null && lineReasonWords(pass) && (
        <p data-testid="line-reason">{lineReasonWords(pass)}</p>
      )}
      {pass.state === "waiting" && offerLeft === null && pass.position && (
        <p>
          You are <strong>{ordinal(pass.position)}</strong> in line.
        </p>
      )}
      {pendingVerb ? (
        <p class="notice pass-card__queued" role="status" data-testid="pass-queued">
          <span class="badge badge--offline">{PENDING_WORDS[pendingVerb] ?? waiting?.label}</span> · will send when
          online
        </p>
      ) : (
        <div class="btn-row">
          {pass.state === "active" && (
            <ActionButton kind="primary" run={() => act(pass, "end", "I'm back")} onError={onError}>
              I'm back
            </ActionButton>
          )}
          {pass.state === "waiting" && pass.offer_expires_at && (
            <ActionButton kind="primary" run={() => act(pass, "take", "Take my place")} onError={onError}>
              Go now
            </ActionButton>
          )}
          {(pass.state === "pending" || pass.state === "waiting") && (
            <ActionButton kind="danger" run={() => act(pass, "cancel", "Cancel my request")} onError={onError}>
              Cancel
            </ActionButton>
          )}
        </div>
      )}
    </section>
  );
}
