// Every policy row, by scope, in words; add, change and delete the overrides of the school's
// rules (a grade, a student group, a place, a student), and ask why a student can or can't go.
import { useEffect, useState } from "preact/hooks";
import { call } from "../../api/client";
import type { PolicyRow, StudentGroup, UserPage } from "../../api/types";
import { loadPlaces, places } from "../../live/store";
import { navigate } from "../../router";
import { messageOf } from "../../ui/Button";
import { FormMessage } from "./Field";
import { OverrideForm } from "./OverrideForm";
import { policyPath, rulesInWords, SCOPE_HEADINGS, targetName } from "./policyWords";
import { WhyPanel } from "./WhyPanel";
import "./policies.css";
import { ConfirmBox } from "../../ui/ConfirmBox";

const ORDER = ["school", "grade", "group", "destination", "student"] as const;
const keyOf = (row: Pick<PolicyRow, "scope" | "target">) => `${row.scope}/${row.target}`;

/** The policies tab: the rows on one side, the "Why?" explainer on the other. */
export function PoliciesTab() {
  const [rows, setRows] = useState<PolicyRow[] | null>(null);
  const [groups, setGroups] = useState<StudentGroup[] | null>(null);
  const [students, setStudents] = useState<Map<number, string>>(new Map());
  const [editing, setEditing] = useState<string | null>(null); // a row's key, or "new"
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);
  const [message, setMessage] = useState<{ good: boolean; text: string } | null>(null);

  async function reload() {
    setRows(await call<PolicyRow[]>("GET", "/api/policies"));
  }
  useEffect(() => {
    void reload().catch((e) => setMessage({ good: false, text: messageOf(e) }));
    void call<StudentGroup[]>("GET", "/api/student-groups").then(setGroups, () => setGroups([]));
    // Student rows name an id: the school's students give them names.
    void call<UserPage>("GET", "/api/users?role=student&limit=200").then(
      (page) => setStudents(new Map(page.users.map((u) => [u.id, u.name]))),
      () => undefined,
    );
    if (places.value.length === 0) void loadPlaces().catch(() => undefined);
  }, []);

  const names = { place: (id: number) => places.value.find((p) => p.id === id)?.name, student: (id: number) => students.get(id) };
  const destinations = places.value.filter((p) => p.is_destination && p.active !== false);

  function saved(row: PolicyRow) {
    setEditing(null);
    setMessage({ good: true, text: `${targetName(row, names)}: saved.` });
    void reload().catch(() => undefined);
  }

  async function remove(row: PolicyRow) {
    await call("DELETE", policyPath(row));
    setConfirmDelete(null);
    setMessage({ good: true, text: `${targetName(row, names)}: override deleted. The wider rules apply again.` });
    await reload();
  }

  return (
    <div class="grid grid--main-side">
      <div class="stack">
        <div class="admin__head">
          <h2>Policies</h2>
          {editing !== "new" && (
            <button type="button" class="btn btn--primary" onClick={() => setEditing("new")}>
              Add an override
            </button>
          )}
        </div>
        <p class="muted">
          The most specific rule wins: a student's own, then a place's, a group's, a grade's, then the whole school's. A setting an override leaves empty comes from the wider rule.
        </p>
        <FormMessage text={message?.text ?? null} good={message?.good} />
        {editing === "new" && (
          <div class="card">
            <h3>New override</h3>
            <OverrideForm row={null} title="New override" destinations={destinations} groups={groups} onSaved={saved} onCancel={() => setEditing(null)} />
          </div>
        )}
        {rows === null ? (
          <p class="muted">Loading…</p>
        ) : (
          ORDER.map((scope) => {
            const inScope = rows.filter((r) => r.scope === scope);
            return (
              <section key={scope} class="stack policy-scope" aria-labelledby={`scope-${scope}`}>
                <h3 id={`scope-${scope}`}>{SCOPE_HEADINGS[scope]}</h3>
                {inScope.length === 0 ? (
                  <p class="muted">{scope === "school" ? "No school-wide rules: no limits." : "No overrides."}</p>
                ) : (
                  <ul class="cards cards--wide" aria-label={SCOPE_HEADINGS[scope]}>
                    {inScope.map((row) => {
                      const name = targetName(row, names);
                      const key = keyOf(row);
                      return (
                        <li key={key} class="card policy" data-policy={key}>
                          <p class="policy__words">
                            <strong>{name}:</strong> {rulesInWords(row.rules)}
                          </p>
                          {scope === "school" ? (
                            <div class="btn-row">
                              <button type="button" class="btn" onClick={() => navigate("/admin/school")}>
                                Edit on the School tab
                              </button>
                            </div>
                          ) : editing === key ? (
                            <OverrideForm row={row} title={`Edit ${name}`} studentName={students.get(Number(row.target))} destinations={destinations} groups={groups} onSaved={saved} onCancel={() => setEditing(null)} />
                          ) : confirmDelete === key ? (
                            <ConfirmBox
                              label={`Delete the override for ${name}?`}
                              yes="Yes, delete"
                              no="Keep it"
                              run={() => remove(row)}
                              onCancel={() => setConfirmDelete(null)}
                              onError={(text) => setMessage({ good: false, text })}
                            >
                              <strong>Delete the override for {name}?</strong> The wider rules apply at once.
                            </ConfirmBox>
                          ) : (
                            <div class="btn-row">
                              <button type="button" class="btn" aria-label={`Edit ${name}`} onClick={() => setEditing(key)}>
                                Edit
                              </button>
                              <button type="button" class="btn btn--danger" aria-label={`Delete ${name}`} onClick={() => setConfirmDelete(key)}>
                                Delete
                              </button>
                            </div>
                          )}
                        </li>
                      );
                    })}
                  </ul>
                )}
              </section>
            );
          })
        )}
      </div>
      <WhyPanel destinations={destinations} />
    </div>
  );
}
