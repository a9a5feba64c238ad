// The school's places: what each allows, who staffs it; add, change, archive and restore.
import { useEffect, useState } from "preact/hooks";
import { call } from "../../api/client";
import type { Place } from "../../api/types";
import { loadPlaces } from "../../live/store";
import { ActionButton, messageOf } from "../../ui/Button";
import { FormMessage } from "./Field";
import { PlaceForm } from "./PlaceForm";
import { loadStaff, staff, staffName } from "./staff";
import { APPROVALS, KINDS, limit, wordFor } from "./words";

/** The places tab. */
export function PlacesTab() {
  const [list, setList] = useState<Place[] | null>(null);
  const [editing, setEditing] = useState<number | "new" | null>(null);
  const [message, setMessage] = useState<{ good: boolean; text: string } | null>(null);
  const [showArchived, setShowArchived] = useState(false);

  async function reload() {
    setList(await call<Place[]>("GET", "/api/locations?include_archived=true"));
    // Every other screen reads the shared list: keep it current too.
    void loadPlaces().catch(() => undefined);
  }

  useEffect(() => {
    void reload().catch((error) => setMessage({ good: false, text: messageOf(error) }));
    if (staff.value === null) void loadStaff().catch(() => undefined);
  }, []);

  function saved(place: Place, words: string) {
    setEditing(null);
    setMessage({ good: true, text: words });
    setList((old) => (old ?? []).map((p) => (p.id === place.id ? place : p)).concat(old?.some((p) => p.id === place.id) ? [] : [place]));
    void reload().catch(() => undefined);
  }

  async function setActive(place: Place, active: boolean) {
    const changed = await call<Place>("PATCH", `/api/locations/${place.id}`, { body: { active } });
    saved(changed, active ? `${place.name} is back on the list.` : `${place.name} is archived: no new passes go there.`);
  }

  const archived = (list ?? []).filter((p) => !p.active);
  const shown = (list ?? []).filter((p) => p.active || showArchived);
  return (
    <div class="stack">
      <div class="admin__head">
        <h2>Places</h2>
        {editing !== "new" && (
          <button type="button" class="btn btn--primary" onClick={() => setEditing("new")}>
            Add a place
          </button>
        )}
      </div>
      <FormMessage text={message?.text ?? null} good={message?.good} />
      {editing === "new" && (
        <div class="card">
          <h3>New place</h3>
          <PlaceForm place={null} onSaved={(p) => saved(p, `${p.name} added.`)} onCancel={() => setEditing(null)} />
        </div>
      )}
      {list === null ? (
        <p class="muted">Loading…</p>
      ) : (
        <ul class="cards" aria-label="Places">
          {shown.map((place) => (
            <li key={place.id} class={`card place${place.active ? "" : " place--archived"}`} data-place-id={place.id}>
              <h3 class="place__name">
                {place.name}{" "}
                {!place.active && <span class="badge">Archived</span>}
                {place.active && !place.is_destination && <span class="badge">Not a destination</span>}
              </h3>
              {editing === place.id ? (
                <PlaceForm place={place} onSaved={(p) => saved(p, `${p.name} saved.`)} onCancel={() => setEditing(null)} />
              ) : (
                <>
                  <dl class="facts">
                    <dt>Kind</dt>
                    <dd>{wordFor(KINDS, place.kind)}</dd>
                    <dt>Capacity</dt>
                    <dd data-field="capacity">{limit(place.capacity)}</dd>
                    <dt>Max out</dt>
                    <dd>{limit(place.max_out)}</dd>
                    <dt>Approval</dt>
                    <dd>{wordFor(APPROVALS, place.approval)}</dd>
                    <dt>Minutes</dt>
                    <dd>{place.default_minutes}</dd>
                    <dt>Staff</dt>
                    <dd>{place.staff_ids?.length ? place.staff_ids.map(staffName).join(", ") : "none"}</dd>
                    <dt>Now</dt>
                    <dd>
                      {place.out} out{place.waiting ? `, ${place.waiting} in line` : ""}
                    </dd>
                  </dl>
                  <div class="btn-row">
                    <button type="button" class="btn" aria-label={`Edit ${place.name}`} onClick={() => setEditing(place.id)}>
                      Edit
                    </button>
                    {place.active ? (
                      <ActionButton kind="danger" label={`Archive ${place.name}`} run={() => setActive(place, false)} onError={(text) => setMessage({ good: false, text })}>
                        Archive
                      </ActionButton>
                    ) : (
                      <ActionButton label={`Restore ${place.name}`} run={() => setActive(place, true)} onError={(text) => setMessage({ good: false, text })}>
                        Restore
                      </ActionButton>
                    )}
                  </div>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {archived.length > 0 && (
        <label class="check">
          <input type="checkbox" checked={showArchived} onChange={(e) => setShowArchived(e.currentTarget.checked)} />
          Show archived places ({archived.length})
        </label>
      )}
    </div>
  );
}
