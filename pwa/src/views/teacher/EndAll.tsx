// "End all (3)": end every pass out of a room at once, after a confirmation naming the students.
import { useState } from "preact/hooks";
import { ApiError, call } from "../../api/client";
import type { components } from "../../contract/openapi";
import type { Pass } from "../../api/types";
import { keepPass } from "../../live/store";
import { ConfirmBox } from "../../ui/ConfirmBox";

type EndAllOut = components["schemas"]["EndAllOut"];

/** Say a list of names as people do: "Ava S., Ben T. and Cara D.". */
export function namesOf(passes: readonly Pass[]): string {
  const names = passes.map((p) => p.student.name);
  return names.length < 2 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/** The button and its confirmation for one room; the server ends exactly the passes named. */
export function EndAll({ roomId, roomName, out, onError }: { roomId: number; roomName: string; out: readonly Pass[]; onError: (message: string) => void }) {
  // The passes the confirmation names: what the teacher saw, or the server's current set.
  const [asked, setAsked] = useState<readonly Pass[] | null>(null);
  const [changed, setChanged] = useState(false);
  if (out.length === 0 && asked === null) return null;

  async function endThem(passes: readonly Pass[]) {
    try {
      const body = await call<EndAllOut>("POST", `/api/locations/${roomId}/end-all`, {
        body: { pass_ids: passes.map((p) => p.id) },
      });
      body.passes.forEach(keepPass);
      setAsked(null);
      setChanged(false);
    } catch (error) {
      // Someone came back or left meanwhile: nothing ended; ask again about the passes out now.
      const current = error instanceof ApiError && error.code === "passes_changed" ? (error.details?.passes as Pass[] | undefined) : undefined;
      if (!current) throw error;
      current.forEach(keepPass);
      setChanged(current.length > 0);
      setAsked(current.length ? current : null);
      if (!current.length) onError(`Nobody is out of ${roomName} any more: nothing was ended.`);
    }
  }

  if (asked === null) {
    return (
      <button type="button" class="btn btn--danger" onClick={() => setAsked([...out])}>
        End all ({out.length})
      </button>
    );
  }
  return (
    <ConfirmBox
      label={`End all passes out of ${roomName}`}
      yes={`End all ${asked.length}`}
      no="Keep them out"
      run={() => endThem(asked)}
      onCancel={() => {
        setAsked(null);
        setChanged(false);
      }}
      onError={onError}
    >
      {changed ? "The passes out changed meanwhile. " : ""}
      End the {asked.length === 1 ? "pass" : `${asked.length} passes`} out of {roomName}: {namesOf(asked)}?
    </ConfirmBox>
  );
}
