// The Roster tab: import a roster (preview, then apply), its history, sections by period, a student's day.
import { useState } from "preact/hooks";
import { ImportHistory } from "./ImportHistory";
import { RosterImport } from "./RosterImport";
import { SectionsByPeriod } from "./SectionsByPeriod";
import { StudentDay } from "./StudentDay";
import "./roster.css";

/** The roster tab: each card reads again after an import (`version`). */
export function RosterTab() {
  const [version, setVersion] = useState(0);
  return (
    <div class="stack roster">
      <h2 class="visually-hidden">Roster</h2>
      <RosterImport onDone={() => setVersion((v) => v + 1)} />
      <ImportHistory version={version} />
      <div class="grid grid--2">
        <SectionsByPeriod version={version} />
        <StudentDay />
      </div>
    </div>
  );
}
