// Substitutes for the day: grant a substitute the room and classes, show the one-day code once
// (large, with Copy, and when it ends), and list the day's grants with Revoke and New code.
// A teacher grants their own room and classes; an admin any classroom or any absent teacher's.
// Either picks a substitute with an account (GET /api/substitute-accounts) or names someone new.
import { useEffect, useState } from "preact/hooks";
import { call } from "../../api/client";
import type { AdminUser, Grant, GrantCreate, GrantWithCode, SubstitutePerson, UserPage } from "../../api/types";
import { me, places } from "../../live/store";
import { messageOf } from "../../ui/Button";
import { timeOfDay } from "../../ui/format";
import "./substitutes.css";

const STATE_WORDS: Record<Grant["state"], string> = {
  scheduled: "starts later",
  live: "signed-in access now",
  ended: "ended",
  revoked: "revoked",
};

/** Today's school-local date as YYYY-MM-DD (the browser's clock, in the school's zone). */
function today(timeZone: string): string {
  return new Date().toLocaleDateString("en-CA", { timeZone });
}

/** Who a grant covers, in words. */
function covers(grant: Grant): string {
  const parts = [grant.location?.name, grant.absent_teacher ? `${grant.absent_teacher.name}'s classes` : null];
  return parts.filter(Boolean).join(" and ");
}

/** The Substitute panel of the teacher's and admin's screens. */
export function SubstitutePanel() {
  const user = me.value!;
  const admin = user.role === "admin";
  const zone = user.school.timezone;
  const [grants, setGrants] = useState<Grant[]>([]);
  const [shown, setShown] = useState<GrantWithCode | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [first, setFirst] = useState("");
  const [last, setLast] = useState("");
  const [email, setEmail] = useState("");
  const [accountId, setAccountId] = useState("");
  const [day, setDay] = useState(today(zone));
  const [room, setRoom] = useState(true);
  const [classes, setClasses] = useState(true);
  const [roomId, setRoomId] = useState("");
  const [absentId, setAbsentId] = useState("");
  const [teachers, setTeachers] = useState<AdminUser[]>([]);
  const [accounts, setAccounts] = useState<SubstitutePerson[]>([]);

  const ownRooms = places.value.filter((p) => user.location_ids.includes(p.id) && p.kind === "classroom");
  const classrooms = places.value.filter((p) => p.kind === "classroom" && p.active);

  // Bumped after a grant, a revoke or a new code: the list is read again.
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((v) => v + 1);

  useEffect(() => {
    void call<Grant[]>("GET", `/api/substitutes?day=${day}`).then(setGrants, (e: unknown) => setError(messageOf(e)));
  }, [day, version]);

  // The school's substitutes who sign in themselves (not the code-only ones grants made).
  useEffect(() => {
    void call<SubstitutePerson[]>("GET", "/api/substitute-accounts").then(setAccounts, () => undefined);
  }, []);

  useEffect(() => {
    if (!admin) return;
    void call<UserPage>("GET", "/api/users?role=teacher&limit=200").then((page) => setTeachers(page.users), () => undefined);
  }, [admin]);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setShown(null);
    const body: Partial<GrantCreate> = { day };
    if (accountId) body.substitute_id = Number(accountId);
    else body.substitute = { first_name: first.trim(), last_name: last.trim(), email: email.trim() || null };
    if (admin) {
      if (roomId) body.location_id = Number(roomId);
      if (absentId) body.absent_teacher_id = Number(absentId);
    } else {
      if (room && ownRooms[0]) body.location_id = ownRooms[0].id;
      if (classes) body.absent_teacher_id = user.id;
    }
    try {
      const made = await call<GrantWithCode>("POST", "/api/substitutes", { body });
      setShown(made);
      setFirst("");
      setLast("");
      setEmail("");
      setAccountId("");
      reload();
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(grant: Grant) {
    if (!confirm(`Revoke ${grant.substitute.name}'s access? They are signed out now.`)) return;
    try {
      await call("DELETE", `/api/substitutes/${grant.id}`);
      if (shown?.id === grant.id) setShown(null);
      reload();
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  async function reissue(grant: Grant) {
    try {
      setShown(await call<GrantWithCode>("POST", `/api/substitutes/${grant.id}/code`));
      reload();
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  return (
    <section class="card substitutes" aria-labelledby="substitute-title">
      <h2 id="substitute-title">Substitute</h2>
      {shown?.code && (
        <div class="substitutes__code" role="status" aria-label="Substitute code">
          <p>
            Code for {shown.substitute.name}, {covers(shown)} (shown once):
          </p>
          <output class="substitutes__value">{shown.code}</output>
          <p class="muted">
            Works from {timeOfDay(shown.starts_at, zone)} until {timeOfDay(shown.ends_at, zone)} on {shown.day}.
          </p>
          <button type="button" class="btn" onClick={() => void navigator.clipboard?.writeText(shown.code ?? "")}>
            Copy
          </button>
        </div>
      )}
      <form onSubmit={(event) => void submit(event)} aria-label="Grant a substitute">
        {accounts.length > 0 && (
          <>
            <label for="sub-account">Substitute with an account</label>
            <select id="sub-account" value={accountId} onChange={(e) => setAccountId(e.currentTarget.value)}>
              <option value="">Someone new (by name)</option>
              {accounts.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.email ? `${a.name} (${a.email})` : a.name}
                </option>
              ))}
            </select>
          </>
        )}
        {!accountId && (
          <>
            <label for="sub-first">Substitute's first name</label>
            <input id="sub-first" required value={first} onInput={(e) => setFirst(e.currentTarget.value)} />
            <label for="sub-last">Substitute's last name</label>
            <input id="sub-last" required value={last} onInput={(e) => setLast(e.currentTarget.value)} />
            <label for="sub-email">E-mail (optional)</label>
            <input id="sub-email" type="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
          </>
        )}
        {admin ? (
          <>
            <label for="sub-room">Room</label>
            <select id="sub-room" value={roomId} onChange={(e) => setRoomId(e.currentTarget.value)}>
              <option value="">No room</option>
              {classrooms.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
            <label for="sub-absent">Absent teacher's classes</label>
            <select id="sub-absent" value={absentId} onChange={(e) => setAbsentId(e.currentTarget.value)}>
              <option value="">None</option>
              {teachers.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.first_name} {t.last_name}
                </option>
              ))}
            </select>
          </>
        ) : (
          <fieldset>
            <legend>They cover</legend>
            {ownRooms.length > 0 && (
              <label class="check">
                <input type="checkbox" checked={room} onChange={(e) => setRoom(e.currentTarget.checked)} /> My room (
                {ownRooms[0].name})
              </label>
            )}
            <label class="check">
              <input type="checkbox" checked={classes} onChange={(e) => setClasses(e.currentTarget.checked)} /> My classes
            </label>
          </fieldset>
        )}
        <label for="sub-day">Day</label>
        <input id="sub-day" type="date" required min={today(zone)} value={day} onInput={(e) => setDay(e.currentTarget.value)} />
        <p class="form-error" role="alert">
          {error}
        </p>
        <button class="btn btn--primary btn--wide" type="submit" disabled={busy} aria-busy={busy}>
          Grant access
        </button>
      </form>
      <h3>Grants on {day}</h3>
      {grants.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <ul class="list" aria-label="Substitute grants">
          {grants.map((g) => (
            <li key={g.id} class="substitutes__grant">
              <span>
                <strong>{g.substitute.name}</strong> · {covers(g)} · until {timeOfDay(g.ends_at, zone)} ·{" "}
                {STATE_WORDS[g.state]}
              </span>
              {(g.state === "live" || g.state === "scheduled") && (
                <span class="substitutes__actions">
                  {g.uses_code && (
                    <button type="button" class="btn" onClick={() => void reissue(g)}>
                      New code
                    </button>
                  )}
                  <button type="button" class="btn btn--danger" onClick={() => void revoke(g)}>
                    Revoke
                  </button>
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The substitute's banner: whom they cover and until when ("Substitute for Marcus Reyes · until
 * 2:50 PM"), from GET /api/me/substitute. */
export function SubstituteBanner() {
  const user = me.value!;
  const [grants, setGrants] = useState<Grant[] | null>(null);
  // Read again when the places change: a grant that starts, ends or is revoked re-scopes them.
  const rooms = user.location_ids.join(",");
  useEffect(() => {
    void call<Grant[]>("GET", "/api/me/substitute").then(setGrants, () => setGrants([]));
  }, [user.id, rooms]);
  if (grants === null) return null;
  if (grants.length === 0)
    return (
      <p class="notice substitute-banner" role="status">
        No substitute access right now. It starts at the first bell of the day you were given.
      </p>
    );
  return (
    <>
      {grants.map((g) => (
        <p key={g.id} class="notice substitute-banner" role="status">
          Substitute for {g.absent_teacher?.name ?? g.location?.name} · until {timeOfDay(g.ends_at, user.school.timezone)}
        </p>
      ))}
    </>
  );
}
