// The emergency screen: every view gives way to it while an emergency is in force.
import { emergency } from "../../live/emergency";
import { timeOfDay } from "../../ui/format";
import { me } from "../../live/store";
import { StaffRoster } from "./StaffRoster";
import { StudentReport } from "./StudentReport";
import { KIND_WORDS } from "./words";
import "./emergency.css";

/** The banner and, for each audience, what they can do. */
export default function EmergencyScreen() {
  const current = emergency.value;
  const user = me.value;
  if (!current || !user) return null;
  const kind = "kind" in current ? current.kind : null;
  const drill = "drill" in current && current.drill;
  return (
    <div class="emergency" data-emergency-id={current.id}>
      <div class={`emergency__banner${drill ? " emergency__banner--drill" : ""}`} role="alert">
        <h1>{kind ? KIND_WORDS[kind] : "Emergency"}{drill && kind !== "drill" ? " (drill)" : ""}</h1>
        {"started_at" in current && (
          <p>Since {timeOfDay(current.started_at, user.school.timezone)}. Passes are stopped.</p>
        )}
      </div>
      {current.audience === "staff" && "roster" in current && <StaffRoster view={current} />}
      {current.audience === "student" && "you" in current && <StudentReport view={current} />}
      {current.audience === "kiosk" && (
        <p class="card emergency__kiosk">Passes are stopped. Stay in class and follow your teacher.</p>
      )}
    </div>
  );
}
