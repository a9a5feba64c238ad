// The live state as a pure function of the frames received: snapshot, then events in order.
import type { Hallway, Pass, ServerFrame } from "../api/types";

export interface LiveState {
  /** Every pass the user may see, by id. */
  readonly passes: ReadonlyMap<number, Pass>;
  /** The hallway count (staff only). */
  readonly hallway: Hallway | null;
  /** The event log the seqs belong to, and the last seq applied: where a resume starts. */
  readonly epoch: string | null;
  readonly seq: number;
}

export const EMPTY: LiveState = { passes: new Map(), hallway: null, epoch: null, seq: 0 };

/** Return the state after one server frame (frames that change nothing return it unchanged). */
export function applyFrame(state: LiveState, frame: ServerFrame): LiveState {
  switch (frame.type) {
    case "snapshot":
      return {
        passes: new Map(frame.passes.map((p) => [p.id, p as Pass])),
        hallway: frame.hallway ?? (state.epoch === null ? null : state.hallway),
        epoch: frame.epoch,
        seq: frame.seq,
      };
    case "event": {
      const incoming = frame.pass as Pass;
      const known = state.passes.get(incoming.id);
      const passes = new Map(state.passes);
      // A pass's version only grows: an older copy (a replay overtaken by a fetch) is ignored.
      if (!known || known.version <= incoming.version) passes.set(incoming.id, incoming);
      return {
        ...state,
        passes,
        hallway: frame.hallway ?? state.hallway,
        seq: Math.max(state.seq, frame.seq),
      };
    }
    case "ready":
      return { ...state, epoch: frame.epoch, seq: frame.seq, hallway: frame.hallway ?? state.hallway };
    default:
      return state;
  }
}

/** Put a pass the API answered with into the state (the event will follow with the same). */
export function upsertPass(state: LiveState, pass: Pass): LiveState {
  const known = state.passes.get(pass.id);
  if (known && known.version > pass.version) return state;
  const passes = new Map(state.passes);
  passes.set(pass.id, pass);
  return { ...state, passes };
}
