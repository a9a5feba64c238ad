// The app: sign-in, then the screen for the user's role, under a header that says whether
// what is shown is live.
import { useEffect } from "preact/hooks";
import type { Role } from "./api/types";
import { flushOutbox, refreshOutbox } from "./api/actions";
import { confirmSession, connection, me, signOut } from "./live/store";
import { Login } from "./views/Login";
import { Lazy, type ViewModule } from "./ui/Lazy";
import { PushToggle } from "./ui/PushToggle";
import { SchoolSwitcher } from "./ui/SchoolSwitcher";
import { StatusBar } from "./ui/StatusBar";
import { Toasts } from "./ui/Toasts";
import { clearQueue } from "../service-worker/queue";
import { allClear, emergency } from "./live/emergency";
import { StartEmergency } from "./views/emergency/StartEmergency";
import { navigate, path } from "./router";
import { returnPath, SIGN_IN_PATH } from "./views/signin/sso";

const loadEmergency = () => import("./views/emergency/EmergencyScreen");
// A door kiosk has no "Sign out": leaving kiosk mode takes a staff member's sign-in.
const loadLeaveKiosk = () => import("./views/kiosk/LeaveKiosk");

const VIEWS: Record<Role, () => Promise<ViewModule>> = {
  student: () => import("./views/student/StudentView"),
  teacher: () => import("./views/teacher/TeacherView"),
  substitute: () => import("./views/teacher/TeacherView"),
  nurse: () => import("./views/care/CareView"),
  counselor: () => import("./views/care/CareView"),
  security: () => import("./views/monitor/MonitorView"),
  admin: () => import("./views/admin/AdminView"),
  kiosk: () => import("./views/kiosk/KioskView"),
  district_admin: () => import("./views/district/DistrictView"),
};

const ROLE_WORDS: Record<Role, string> = {
  student: "Student",
  teacher: "Teacher",
  substitute: "Substitute",
  nurse: "Nurse",
  counselor: "Counselor",
  security: "Hall monitor",
  admin: "Admin",
  kiosk: "Door kiosk",
  district_admin: "District admin",
};

/** The whole app. */
export function App({ booted }: { booted: boolean }) {
  const user = me.value;
  const status = connection.value;
  // The user's id, not the object: a refreshed profile of the same user is no new session.
  const userId = user?.id;
  useEffect(() => {
    if (userId === undefined) return;
    // Whatever was queued offline goes out as soon as the live connection is back.
    if (status === "live") void confirmSession().then(flushOutbox, () => undefined);
    void refreshOutbox();
  }, [userId, status]);
  const onSignInPage = path.value === SIGN_IN_PATH;
  useEffect(() => {
    // Signed in on the sign-in page (a password after a failed single sign-on): go where they were going.
    if (userId !== undefined && onSignInPage) navigate(returnPath(), true);
  }, [userId, onSignInPage]);

  if (!booted) return <p class="boot">Loading Hallpass…</p>;
  if (!user) return <Login />;
  // A district administrator has no notifications: every school endpoint refuses them.
  const staff = user.role !== "student" && user.role !== "kiosk" && user.role !== "district_admin";
  return (
    <div class={`shell shell--${user.role}`}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <div class="topbar__who">
          <span class="topbar__school">{user.school.name}</span>
          <span class="topbar__name">
            {user.role === "kiosk" ? ROLE_WORDS.kiosk : `${user.name} · ${ROLE_WORDS[user.role]}`}
          </span>
        </div>
        {user.role !== "district_admin" && <StatusBar />}
        <div class="topbar__actions">
          <SchoolSwitcher />
          {(user.role === "admin" || user.role === "security") && !emergency.value && <StartEmergency />}
          {staff && <PushToggle />}
          {user.role === "kiosk" ? (
            <Lazy load={loadLeaveKiosk} />
          ) : (
            <button
              type="button"
              class="btn btn--plain"
              onClick={() => void clearQueue().catch(() => undefined).then(() => signOut())}
            >
              Sign out
            </button>
          )}
        </div>
      </header>
      <main id="main" class="main" tabIndex={-1}>
        {allClear.value && !emergency.value && (
          <div class="notice notice--good all-clear" role="status">
            <span>All clear: passes are back.</span>
            <button type="button" class="btn" onClick={() => (allClear.value = null)}>
              OK
            </button>
          </div>
        )}
        {/* Keyed by the account: switching school (another account, the same role) starts the
            screen afresh, so nothing the first school's screen read stays on it. */}
        {emergency.value ? <Lazy key={user.id} load={loadEmergency} /> : <Lazy key={user.id} load={VIEWS[user.role]} />}
      </main>
      <Toasts />
    </div>
  );
}
