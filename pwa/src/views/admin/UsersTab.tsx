// The school's users: search and filter, add, change, disable or enable, reset a password.
import { useEffect, useState } from "preact/hooks";
import { call } from "../../api/client";
import type { AdminUser, Role, UserPage } from "../../api/types";
import { me, places } from "../../live/store";
import { ActionButton, messageOf } from "../../ui/Button";
import { FormActions, FormMessage, SelectField, TextField } from "./Field";
import { NO_PROBLEMS, type Problems, problemsOf } from "./problems";
import { loadStaff } from "./staff";
import { UserForm } from "./UserForm";
import { ROLES, wordFor } from "./words";

const PAGE = 50;
type Status = "true" | "false" | "";

/** The path of one page of users matching the filters. */
function usersPath(q: string, role: Role | "", status: Status, offset: number): string {
  const params = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
  if (q.trim()) params.set("q", q.trim());
  if (role) params.set("role", role);
  if (status) params.set("active", status);
  return `/api/users?${params.toString()}`;
}

/** The users tab. */
export function UsersTab() {
  const [q, setQ] = useState("");
  const [role, setRole] = useState<Role | "">("");
  const [status, setStatus] = useState<Status>("true");
  const [page, setPage] = useState<UserPage | null>(null);
  const [editing, setEditing] = useState<number | "new" | null>(null);
  const [resetting, setResetting] = useState<number | null>(null);
  const [message, setMessage] = useState<{ good: boolean; text: string } | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    const timer = window.setTimeout(() => {
      call<UserPage>("GET", usersPath(q, role, status, 0)).then(setPage, (e) => setMessage({ good: false, text: messageOf(e) }));
    }, 200);
    return () => window.clearTimeout(timer);
  }, [q, role, status, version]);

  async function more() {
    if (!page) return;
    const next = await call<UserPage>("GET", usersPath(q, role, status, page.users.length));
    setPage({ ...next, users: [...page.users, ...next.users], offset: 0 });
  }

  function saved(user: AdminUser, words: string) {
    setEditing(null);
    setResetting(null);
    setMessage({ good: true, text: words });
    setPage((old) => old && { ...old, users: old.users.map((u) => (u.id === user.id ? user : u)) });
    setVersion((v) => v + 1);
    void loadStaff().catch(() => undefined); // place forms name staff
  }

  async function setActive(user: AdminUser, active: boolean) {
    const changed = await call<AdminUser>("PATCH", `/api/users/${user.id}`, { body: { active } });
    saved(changed, active ? `${user.name} can sign in again.` : `${user.name} is disabled and signed out everywhere.`);
  }

  const placeName = (id: number) => places.value.find((p) => p.id === id)?.name ?? `#${id}`;
  return (
    <div class="stack">
      <div class="admin__head">
        <h2>Users</h2>
        {editing !== "new" && (
          <button type="button" class="btn btn--primary" onClick={() => setEditing("new")}>
            Add a user
          </button>
        )}
      </div>
      {editing === "new" && (
        <div class="card">
          <h3>New user</h3>
          <UserForm user={null} onSaved={(u) => saved(u, `${u.name} added. They can sign in as ${u.login}.`)} onCancel={() => setEditing(null)} />
        </div>
      )}
      <div class="card filters" role="search" aria-label="Find users">
        <TextField id="users-q" label="Search" type="search" value={q} onInput={setQ} hint="Name, login or student number." />
        <SelectField id="users-role" label="Role" value={role} options={[["", "Every role"], ...ROLES]} onChange={setRole} />
        <SelectField
          id="users-status"
          label="Status"
          value={status}
          options={[
            ["true", "Active"],
            ["false", "Disabled"],
            ["", "Everyone"],
          ]}
          onChange={setStatus}
        />
      </div>
      <FormMessage text={message?.text ?? null} good={message?.good} />
      {page === null ? (
        <p class="muted">Loading…</p>
      ) : (
        <>
          <p class="muted" aria-live="polite">
            {page.total === 0 ? "Nobody matches." : `${page.total} ${page.total === 1 ? "user" : "users"}, showing ${page.users.length}.`}
          </p>
          <ul class="list users" aria-label="Users">
            {page.users.map((user) => (
              <li key={user.id} class={`row user${user.active ? "" : " user--off"}${editing === user.id ? " user--open" : ""}`} data-user-id={user.id}>
                <div class="row__main">
                  <div class="row__title">
                    {user.name} <span class="badge">{wordFor(ROLES, user.role)}</span>
                    {!user.active && <span class="badge badge--denied">Disabled</span>}
                  </div>
                  <div class="row__meta">
                    {user.login}
                    {user.role === "student"
                      ? `${user.grade !== null ? ` · grade ${user.grade}` : ""}${user.home_location_id ? ` · ${placeName(user.home_location_id)}` : ""}`
                      : user.location_ids.length
                        ? ` · ${user.location_ids.map(placeName).join(", ")}`
                        : ""}
                  </div>
                </div>
                {editing === user.id ? (
                  <div class="user__form">
                    <UserForm user={user} onSaved={(u) => saved(u, `${u.name} saved.`)} onCancel={() => setEditing(null)} />
                    <h4>Account</h4>
                    {resetting === user.id ? (
                      <ResetPassword user={user} onDone={(u) => saved(u, `${u.name}'s password is reset; they are signed out everywhere.`)} onCancel={() => setResetting(null)} />
                    ) : (
                      <div class="btn-row">
                        <button type="button" class="btn" aria-label={`Reset ${user.name}'s password`} onClick={() => setResetting(user.id)}>
                          Reset password
                        </button>
                        {/* The server refuses an admin disabling themselves: don't offer it. */}
                        {user.id !== me.value?.id && user.active && (
                          <ActionButton kind="danger" label={`Disable ${user.name}`} run={() => setActive(user, false)} onError={(text) => setMessage({ good: false, text })}>
                            Disable
                          </ActionButton>
                        )}
                      </div>
                    )}
                  </div>
                ) : (
                  <div class="btn-row">
                    <button type="button" class="btn" aria-label={`Edit ${user.name}`} onClick={() => {
                        setEditing(user.id);
                        setResetting(null);
                      }}>
                      Edit
                    </button>
                    {!user.active && (
                      <ActionButton label={`Enable ${user.name}`} run={() => setActive(user, true)} onError={(text) => setMessage({ good: false, text })}>
                        Enable
                      </ActionButton>
                    )}
                  </div>
                )}
              </li>
            ))}
          </ul>
          {page.users.length < page.total && (
            <ActionButton run={more} onError={(text) => setMessage({ good: false, text })}>
              Show more
            </ActionButton>
          )}
        </>
      )}
    </div>
  );
}

/** A new password for one user (it ends their sessions). */
function ResetPassword({ user, onDone, onCancel }: { user: AdminUser; onDone: (u: AdminUser) => void; onCancel: () => void }) {
  const [password, setPassword] = useState("");
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblems(NO_PROBLEMS);
    try {
      onDone(await call<AdminUser>("PATCH", `/api/users/${user.id}`, { body: { password } }));
    } catch (error) {
      setProblems(problemsOf(error, ["password"]));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="admin-form" onSubmit={(event) => void submit(event)} noValidate aria-label={`New password for ${user.name}`}>
      <TextField id={`reset-${user.id}`} label="New password" type="password" autocomplete="new-password" value={password} onInput={setPassword} error={problems.fields.password} hint="They are signed out everywhere." />
      <FormActions message={problems.general} submit="Set password" busy={busy} onCancel={onCancel} />
    </form>
  );
}
