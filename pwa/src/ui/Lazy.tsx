// Loads a view's code when it is first shown, so each role downloads only its own screens.
import type { FunctionComponent } from "preact";
import { useEffect, useState } from "preact/hooks";

export type ViewModule = { default: FunctionComponent };

/** Render the default export of a module loaded on demand. */
export function Lazy({ load }: { load: () => Promise<ViewModule> }) {
  const [View, setView] = useState<FunctionComponent | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    load()
      .then((module) => live && setView(() => module.default))
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [load]);
  if (failed) return <p class="notice notice--bad">This screen could not load. Check the connection and reload.</p>;
  return View ? <View /> : <p class="loading" aria-busy="true">Loading…</p>;
}
