// The hall monitor's screen: the live floor plan, the hallway count, everyone out as a
// searchable list, and a lookup of any student; a tapped student (or a /passes/{id} link) shows
// their pass.
import { useState } from "preact/hooks";
import type { Pass, Place } from "../../api/types";
import { live, me, passes, places, synced } from "../../live/store";
import { navigate, passIdIn, path } from "../../router";
import { HallMap } from "./HallMap";
import { HallwayCount } from "./HallwayCount";
import { MapLegend } from "./MapLegend";
import { OutList } from "./OutList";
import { outPasses } from "./out";
import { PassPanel } from "./PassPanel";
import { StudentLookup } from "./StudentLookup";
import "./monitor.css";

export { HallMap } from "./HallMap";
export { HallwayCount } from "./HallwayCount";
export { OutList } from "./OutList";
export { PassPanel } from "./PassPanel";

/** The hall monitor's whole screen (security); admins get the same map and list as a tab. */
export default function MonitorView() {
  const user = me.value!;
  const [query, setQuery] = useState("");
  const selectedId = passIdIn(path.value);
  const out = outPasses(passes.value);
  const all = places.value.filter((p) => p.active);
  const select = (pass: Pass) => navigate(`/passes/${pass.id}`);
  const showPlace = (place: Place) => setQuery(place.name);
  const timeZone = user.school.timezone;
  return (
    <div class="monitor">
      <h1 class="visually-hidden">Hall monitor</h1>
      <section class="monitor__map card" aria-labelledby="map-title">
        <div class="monitor__maphead">
          <h2 id="map-title">Live map</h2>
          <HallwayCount hallway={live.value.hallway} />
        </div>
        {!synced.value && (
          <p class="muted" aria-busy="true">
            Loading…
          </p>
        )}
        <HallMap out={synced.value ? out : []} places={all} selectedId={selectedId} onSelect={select} onPlace={showPlace} />
        <MapLegend />
      </section>
      <div class="monitor__side stack">
        {selectedId !== null && (
          <PassPanel passId={selectedId} onClose={() => navigate("/")} canEnd={user.role === "security" || user.role === "admin"} timeZone={timeZone} />
        )}
        <OutList
          out={out}
          places={all}
          selectedId={selectedId}
          onSelect={select}
          query={query}
          onQuery={setQuery}
          synced={synced.value}
          timeZone={timeZone}
        />
        <StudentLookup onPass={select} timeZone={timeZone} />
      </div>
    </div>
  );
}
