// Encounter groups (students kept apart or watched) and the log of encounters they met.
// Admin-only by role; the server keeps groups from everyone but admins and security anyway.
import { useEffect, useState } from "preact/hooks";
import { call } from "../../api/client";
import type { EncounterGroup, EncounterLogEntry } from "../../api/types";
import { me } from "../../live/store";
import { ActionButton, messageOf } from "../../ui/Button";
import { FormMessage } from "./Field";
import { GroupForm } from "./GroupForm";
import { ConfirmBox } from "../../ui/ConfirmBox";

const LOG_REFRESH_MS = 30_000;

/** The encounter groups tab: groups on one side, the log on the other. */
export function EncountersTab() {
  const [groups, setGroups] = useState<EncounterGroup[] | null>(null);
  const [editing, setEditing] = useState<number | "new" | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<number | null>(null);
  const [message, setMessage] = useState<{ good: boolean; text: string } | null>(null);

  async function reload() {
    setGroups(await call<EncounterGroup[]>("GET", "/api/encounters/groups"));
  }
  useEffect(() => {
    void reload().catch((e) => setMessage({ good: false, text: messageOf(e) }));
  }, []);

  function saved(words: string) {
    setEditing(null);
    setMessage({ good: true, text: words });
    void reload().catch(() => undefined);
  }

  async function remove(group: EncounterGroup) {
    await call("DELETE", `/api/encounters/groups/${group.id}`);
    setConfirmDelete(null);
    setMessage({ good: true, text: `${group.name} deleted. Its log stays.` });
    await reload();
  }

  const zone = me.value?.school.timezone;
  return (
    <div class="grid grid--main-side">
      <div class="stack">
        <div class="admin__head">
          <h2>Encounter groups</h2>
          {editing !== "new" && (
            <button type="button" class="btn btn--primary" onClick={() => setEditing("new")}>
              New group
            </button>
          )}
        </div>
        <FormMessage text={message?.text ?? null} good={message?.good} />
        {editing === "new" && (
          <div class="card">
            <h3>New encounter group</h3>
            <GroupForm group={null} onSaved={(g) => saved(`${g.name} created.`)} onCancel={() => setEditing(null)} />
          </div>
        )}
        {groups === null ? (
          <p class="muted">Loading…</p>
        ) : groups.length === 0 ? (
          <p class="muted">No encounter groups.</p>
        ) : (
          <ul class="cards cards--wide" aria-label="Encounter groups">
            {groups.map((group) => (
              <li key={group.id} class="card" data-group-id={group.id}>
                <h3>
                  {group.name} <span class={`badge badge--${group.mode === "block" ? "denied" : "pending"}`}>{group.mode === "block" ? "Block" : "Alert"}</span>
                </h3>
                {editing === group.id ? (
                  <GroupForm group={group} onSaved={(g) => saved(`${g.name} saved.`)} onCancel={() => setEditing(null)} />
                ) : (
                  <>
                    <dl class="facts">
                      <dt>Students</dt>
                      <dd>{group.members.map((m) => m.name).join(", ")}</dd>
                      <dt>Last day</dt>
                      <dd>{group.expires_on ? group.expires_on : "no end date"}</dd>
                      {group.notes && (
                        <>
                          <dt>Notes</dt>
                          <dd class="notes">{group.notes}</dd>
                        </>
                      )}
                    </dl>
                    {confirmDelete === group.id ? (
                      <ConfirmBox
                        label={`Delete ${group.name}?`}
                        yes="Yes, delete"
                        no="Keep it"
                        run={() => remove(group)}
                        onCancel={() => setConfirmDelete(null)}
                        onError={(text) => setMessage({ good: false, text })}
                      >
                        <strong>Delete {group.name}?</strong> It stops applying at once; its log stays.
                      </ConfirmBox>
                    ) : (
                      <div class="btn-row">
                        <button type="button" class="btn" aria-label={`Edit ${group.name}`} onClick={() => setEditing(group.id)}>
                          Edit
                        </button>
                        <button type="button" class="btn btn--danger" aria-label={`Delete ${group.name}`} onClick={() => setConfirmDelete(group.id)}>
                          Delete
                        </button>
                      </div>
                    )}
                  </>
                )}
              </li>
            ))}
          </ul>
        )}
      </div>
      <EncounterLog zone={zone} />
    </div>
  );
}

/** The log of prevented and alerted encounters, newest first; refreshed every 30 s and on demand. */
function EncounterLog({ zone }: { zone: string | undefined }) {
  const [log, setLog] = useState<EncounterLogEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function reload() {
    try {
      setLog(await call<EncounterLogEntry[]>("GET", "/api/encounters/log"));
      setError(null);
    } catch (e) {
      setError(messageOf(e));
    }
  }
  useEffect(() => {
    void reload();
    const timer = window.setInterval(() => void reload(), LOG_REFRESH_MS);
    return () => window.clearInterval(timer);
  }, []);

  const when = (iso: string) =>
    new Date(iso).toLocaleString([], { month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZone: zone });
  return (
    <section class="card stack" aria-labelledby="log-title">
      <div class="admin__head">
        <h2 id="log-title">Encounter log</h2>
        <ActionButton run={reload}>Refresh</ActionButton>
      </div>
      <FormMessage text={error} />
      {log === null ? (
        <p class="muted">Loading…</p>
      ) : log.length === 0 ? (
        <p class="muted">No encounters yet.</p>
      ) : (
        <ul class="list encounter-log" aria-live="polite">
          {log.map((entry) => (
            <li key={entry.id} class="row" data-outcome={entry.outcome}>
              <div class="row__main">
                <div class="row__title">
                  {entry.student.name}{" "}
                  <span class={`badge badge--${entry.outcome === "prevented" ? "denied" : "pending"}`}>
                    {entry.outcome === "prevented" ? "Prevented" : "Alerted"}
                  </span>
                </div>
                <div class="row__meta">
                  {entry.group.name} · to {entry.destination.name}
                  {entry.others.length ? ` · ${entry.others.map((o) => o.name).join(", ")} out` : ""} · {when(entry.at)}
                </div>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
