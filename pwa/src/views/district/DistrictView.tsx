// A district administrator's screen: the district's schools, a new school, and one school's
// settings, report (counts only) and a new administrator with their one-time password.
import { useEffect, useState } from "preact/hooks";
import { call } from "../../api/client";
import type { AdminCreated, District, DistrictSchool, SchoolReport, SchoolSettings } from "../../api/types";
import { messageOf } from "../../ui/Button";
import { FormMessage, TextField } from "../admin/Field";
import { NO_PROBLEMS, type Problems, problemsOf } from "../admin/problems";
import "../admin/admin.css";
import "./district.css";

// A role's name in the report, one and many ("1 hall monitor", "30 students").
const ROLE_NAMES: Record<string, [string, string]> = {
  student: ["student", "students"],
  teacher: ["teacher", "teachers"],
  substitute: ["substitute", "substitutes"],
  nurse: ["nurse", "nurses"],
  counselor: ["counselor", "counselors"],
  security: ["hall monitor", "hall monitors"],
  admin: ["administrator", "administrators"],
  kiosk: ["door kiosk", "door kiosks"],
  district_admin: ["district administrator", "district administrators"],
};

/** Say how many users of a role, in words: "30 students". */
function roleCount(role: string, count: number): string {
  const [one, many] = ROLE_NAMES[role] ?? [role, role];
  return `${count} ${count === 1 ? one : many}`;
}

/** The district screen. */
export default function DistrictView() {
  const [district, setDistrict] = useState<District | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<number | null>(null);

  function load() {
    void call<District>("GET", "/api/district").then(setDistrict, (e) => setError(messageOf(e)));
  }
  useEffect(load, []);

  if (!district) return <div class="card">{error ? <FormMessage text={error} /> : <p class="muted">Loading…</p>}</div>;
  const school = district.schools.find((s) => s.id === chosen) ?? null;
  return (
    <div class="grid grid--2 district">
      <div class="stack">
        <section class="card" aria-labelledby="district-schools">
          <h2 id="district-schools">{district.name}: schools</h2>
          {district.schools.length === 0 ? (
            <p class="muted">No school yet.</p>
          ) : (
            <ul class="district-schools">
              {district.schools.map((s) => (
                <li key={s.id}>
                  <button type="button" class="district-schools__school" aria-pressed={s.id === chosen} onClick={() => setChosen(s.id)}>
                    <span class="district-schools__name">{s.name}</span> <span class="district-schools__slug">{s.slug}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
        <NewSchool
          onCreated={(s) => {
            load();
            setChosen(s.id);
          }}
        />
      </div>
      {school ? (
        <SchoolPanel key={school.id} school={school} />
      ) : (
        <p class="card muted">Choose a school to see its settings and report.</p>
      )}
    </div>
  );
}

const SCHOOL_FIELDS = ["name", "slug", "timezone"];

function NewSchool({ onCreated }: { onCreated: (school: DistrictSchool) => void }) {
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  const [timezone, setTimezone] = useState(Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblems(NO_PROBLEMS);
    try {
      onCreated(await call<DistrictSchool>("POST", "/api/district/schools", { body: { name, slug, timezone } }));
      setName("");
      setSlug("");
    } catch (e) {
      setProblems(problemsOf(e, SCHOOL_FIELDS));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card admin-form" aria-labelledby="district-new-school" onSubmit={(e) => void submit(e)}>
      <h2 id="district-new-school">New school</h2>
      <TextField id="school-name" label="Name" value={name} onInput={setName} error={problems.fields.name} required />
      <TextField id="school-slug" label="Short name (slug)" value={slug} onInput={setSlug} error={problems.fields.slug} hint="Lower case letters, digits and hyphens: people type it to sign in." required />
      <TextField id="school-timezone" label="Time zone" value={timezone} onInput={setTimezone} error={problems.fields.timezone} required />
      <FormMessage text={problems.general} />
      <button type="submit" class="btn btn--primary" disabled={busy}>
        Create school
      </button>
    </form>
  );
}

function SchoolPanel({ school }: { school: DistrictSchool }) {
  const [settings, setSettings] = useState<SchoolSettings | null>(null);
  const [report, setReport] = useState<SchoolReport | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void call<SchoolSettings>("GET", `/api/district/schools/${school.id}`).then(setSettings, (e) => setError(messageOf(e)));
    void call<SchoolReport>("GET", `/api/district/schools/${school.id}/report`).then(setReport, (e) => setError(messageOf(e)));
  }, [school.id]);

  return (
    <div class="stack">
      <section class="card" aria-labelledby="district-settings">
        <h2 id="district-settings">{school.name}</h2>
        {error && <FormMessage text={error} />}
        {settings && (
          <dl class="facts">
            <dt>Time zone</dt>
            <dd>{settings.timezone}</dd>
            <dt>Passes</dt>
            <dd>{settings.passes_enabled ? "on" : "off"}</dd>
            <dt>Hallway maximum</dt>
            <dd>{settings.hallway_max ?? "none"}</dd>
            <dt>Out now</dt>
            <dd>{settings.out}</dd>
          </dl>
        )}
      </section>
      {report && <Report report={report} />}
      <NewAdmin school={school} />
    </div>
  );
}

function Report({ report }: { report: SchoolReport }) {
  const totals = (label: string, t: SchoolReport["today"]) => (
    <tr>
      <th scope="row">{label}</th>
      <td>{t.total}</td>
      <td>{Object.entries(t.by_state).map(([state, n]) => `${n} ${state}`).join(", ") || "none"}</td>
      <td>{t.average_minutes_out ?? "–"}</td>
    </tr>
  );
  return (
    <section class="card" aria-labelledby="district-report">
      <h2 id="district-report">Report</h2>
      <p>
        {Object.entries(report.users_by_role)
          .map(([role, n]) => roleCount(role, n))
          .join(" · ") || "No users yet."}
      </p>
      <table class="district-report">
        <thead>
          <tr>
            <th scope="col">Passes</th>
            <th scope="col">Total</th>
            <th scope="col">By state</th>
            <th scope="col">Average minutes out</th>
          </tr>
        </thead>
        <tbody>
          {totals("Today", report.today)}
          {totals("This week", report.this_week)}
        </tbody>
      </table>
      <h3>Busiest destinations this week</h3>
      {report.busiest_destinations.length === 0 ? (
        <p class="muted">No passes this week.</p>
      ) : (
        <ol>
          {report.busiest_destinations.map((d) => (
            <li key={d.name}>
              {d.name}: {d.passes}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

const ADMIN_FIELDS = ["email", "first_name", "last_name"];

function NewAdmin({ school }: { school: DistrictSchool }) {
  const [email, setEmail] = useState("");
  const [first, setFirst] = useState("");
  const [last, setLast] = useState("");
  const [problems, setProblems] = useState<Problems>(NO_PROBLEMS);
  const [created, setCreated] = useState<AdminCreated | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblems(NO_PROBLEMS);
    try {
      const body = { email, first_name: first, last_name: last };
      setCreated(await call<AdminCreated>("POST", `/api/district/schools/${school.id}/admins`, { body }));
      setEmail("");
      setFirst("");
      setLast("");
    } catch (e) {
      setProblems(problemsOf(e, ADMIN_FIELDS));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card admin-form" aria-labelledby="district-new-admin" onSubmit={(e) => void submit(e)}>
      <h2 id="district-new-admin">Add an administrator</h2>
      {created && (
        <p class="notice notice--good" role="status">
          {created.name} signs in with <strong>{created.login}</strong> at school <strong>{created.school.slug}</strong> and the one-time password <code>{created.password}</code>. It is shown only now: pass it on, and ask them to set their own.
        </p>
      )}
      <TextField id="admin-email" label="E-mail (their login)" type="email" value={email} onInput={setEmail} error={problems.fields.email} required />
      <TextField id="admin-first" label="First name" value={first} onInput={setFirst} error={problems.fields.first_name} required />
      <TextField id="admin-last" label="Last name" value={last} onInput={setLast} error={problems.fields.last_name} required />
      <FormMessage text={problems.general} />
      <button type="submit" class="btn btn--primary" disabled={busy}>
        Add administrator
      </button>
    </form>
  );
}
