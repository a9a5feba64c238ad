// The administrator's screen: tabs for the hallway, places, school settings, policies, the bell
// schedule, encounter groups, users, substitutes for the day, the roster (imports, sections, a
// student's day) and sign-in (single sign-on providers, passwords, the attempts log). Each tab is
// a path (/admin/places, ...) so a reload or a link opens it.
import type { FunctionComponent } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { navigate, path } from "../../router";
import { EncountersTab } from "./EncountersTab";
import MonitorView from "../monitor/MonitorView";
import { PlacesTab } from "./PlacesTab";
import { PoliciesTab } from "./PoliciesTab";
import { RosterTab } from "./roster/RosterTab";
import { ScheduleTab } from "./ScheduleTab";
import { SchoolTab } from "./SchoolTab";
import { SubstitutePanel } from "../teacher/SubstitutePanel";
import { SignInTab } from "./sso/SignInTab";
import { UsersTab } from "./UsersTab";
import "./admin.css";

interface Tab {
  key: string;
  label: string;
  View: FunctionComponent;
}

const TABS: readonly Tab[] = [
  { key: "hallway", label: "Hallway", View: MonitorView },
  { key: "places", label: "Places", View: PlacesTab },
  { key: "school", label: "School", View: SchoolTab },
  { key: "policies", label: "Policies", View: PoliciesTab },
  { key: "schedule", label: "Schedule", View: ScheduleTab },
  { key: "encounters", label: "Encounter groups", View: EncountersTab },
  { key: "users", label: "Users", View: UsersTab },
  { key: "substitutes", label: "Substitutes", View: SubstitutePanel },
  { key: "roster", label: "Roster", View: RosterTab },
  { key: "sign-in", label: "Sign-in", View: SignInTab },
];

/** The tab a path names; any other page of the app opens on the hallway. */
export function tabOf(current: string): Tab {
  const match = /^\/admin\/([a-z-]+)/.exec(current);
  return TABS.find((t) => t.key === match?.[1]) ?? TABS[0];
}

/** The admin view: a keyboard-operable tab list (arrows, Home, End) and the chosen tab's panel. */
export default function AdminView() {
  const current = tabOf(path.value);
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);

  function open(index: number, focus: boolean) {
    const tab = TABS[(index + TABS.length) % TABS.length];
    navigate(`/admin/${tab.key}`);
    if (focus) buttons.current[TABS.indexOf(tab)]?.focus();
  }

  function onKeyDown(event: KeyboardEvent, index: number) {
    const moves: Record<string, number> = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: TABS.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    open(moves[event.key], true);
  }

  useEffect(() => {
    // On a phone the tab list scrolls sideways: keep the chosen tab in sight.
    buttons.current[TABS.indexOf(current)]?.scrollIntoView({ block: "nearest", inline: "nearest" });
  }, [current]);

  const { View } = current;
  return (
    <div class="admin">
      <h1 class="visually-hidden">Administration</h1>
      <div class="tabs" role="tablist" aria-label="Administration">
        {TABS.map((tab, index) => {
          const selected = tab === current;
          return (
            <button
              key={tab.key}
              ref={(el) => {
                buttons.current[index] = el;
              }}
              type="button"
              role="tab"
              id={`tab-${tab.key}`}
              class="tabs__tab"
              aria-selected={selected}
              aria-controls={`panel-${tab.key}`}
              tabIndex={selected ? 0 : -1}
              onClick={() => open(index, false)}
              onKeyDown={(e) => onKeyDown(e, index)}
            >
              {tab.label}
            </button>
          );
        })}
      </div>
      <section
        class="admin__panel"
        role="tabpanel"
        id={`panel-${current.key}`}
        aria-labelledby={`tab-${current.key}`}
        key={current.key}
      >
        <View />
      </section>
    </div>
  );
}
