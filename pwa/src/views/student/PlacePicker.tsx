// The student's place picker: live counts on the tiles (`school` frames, no polling), why a
// pass would wait, and a free place of the same kind offered before joining a line.
import { useState } from "preact/hooks";
import type { Place } from "../../api/types";
import { places, school } from "../../live/store";
import { freeAlternative, isFull } from "../../live/school";
import { ActionButton } from "../../ui/Button";
import { placeNote } from "../../ui/placeNote";

/** The tiles and the confirm button; `ask` sends the request and says whether it went. */
export default function PlacePicker({ ask }: { ask: (place: Place) => Promise<boolean> }) {
  const [chosenId, setChosenId] = useState<number | null>(null);
  const all = places.value;
  const destinations = all.filter((p) => p.is_destination && p.active);
  const hallwayFull = school.value?.hallway_full ?? false;
  // The chosen place as the counts say now (a frame may have filled or freed it meanwhile).
  const choice = destinations.find((p) => p.id === chosenId) ?? null;
  const alternative = choice ? freeAlternative(choice, all, hallwayFull) : null;
  const waits = choice !== null && (hallwayFull || isFull(choice));

  async function go(place: Place) {
    if (await ask(place)) setChosenId(null);
  }

  return (
    <>
      {hallwayFull && (
        <p class="notice notice--warn" role="status" data-testid="hallways-full">
          The hallways are full right now: a new pass waits in line.
        </p>
      )}
      <ul class="tiles" role="list">
        {destinations.map((place) => (
          <li key={place.id}>
            <button
              type="button"
              class={`tile${choice?.id === place.id ? " tile--chosen" : ""}`}
              aria-pressed={choice?.id === place.id}
              data-place-id={place.id}
              onClick={() => setChosenId(choice?.id === place.id ? null : place.id)}
            >
              <span class="tile__name">{place.name}</span>
              <span class="tile__note">{placeNote(place, hallwayFull)}</span>
            </button>
          </li>
        ))}
      </ul>
      {choice && (
        <div class="confirm stack">
          {alternative && (
            <>
              <p class="notice notice--good" role="status" data-testid="free-alternative">
                {choice.name} is full. {alternative.name} is free.
              </p>
              <ActionButton kind="primary" run={() => go(alternative)}>
                Go to {alternative.name} · {alternative.default_minutes} min
              </ActionButton>
            </>
          )}
          <ActionButton kind={alternative ? "plain" : "primary"} run={() => go(choice)}>
            Ask for {choice.name} · {waits ? "get in line" : `${choice.default_minutes} min`}
          </ActionButton>
        </div>
      )}
    </>
  );
}
