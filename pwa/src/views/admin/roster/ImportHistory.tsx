// The school's roster imports, newest first: when, who, what happened, and any errors.
import { Fragment } from "preact";
import { useEffect, useState } from "preact/hooks";
import { call } from "../../../api/client";
import { messageOf } from "../../../ui/Button";
import { FormMessage } from "../Field";
import { ErrorsTable } from "./RosterImport";
import type { ImportEntry, ImportHistory as History } from "./types";
import { STATUSES, countsLine, plural } from "./words";

const WHEN = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** The history card; `version` changes after each import, to read it again. */
export function ImportHistory({ version }: { version: number }) {
  const [entries, setEntries] = useState<ImportEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  // Each preview is a line of the history too; most days only what was applied or refused matters.
  const [previews, setPreviews] = useState(false);

  useEffect(() => {
    call<History>("GET", "/api/roster/imports").then(
      (history) => {
        setEntries(history.imports);
        setError(null);
      },
      (e) => setError(messageOf(e)),
    );
  }, [version]);

  return (
    <section class="card stack" aria-labelledby="history-title">
      <h2 id="history-title">Import history</h2>
      <FormMessage text={error} />
      {entries === null ? (
        !error && <p class="muted">Loading…</p>
      ) : entries.length === 0 ? (
        <p class="muted">No roster has been imported yet.</p>
      ) : (
        <>
          <label class="check">
            <input type="checkbox" checked={previews} onChange={(e) => setPreviews(e.currentTarget.checked)} />
            Show previews too ({entries.filter((e) => e.status === "previewed").length})
          </label>
          <div class="table-wrap table-wrap--tall" role="region" aria-labelledby="history-caption" tabIndex={0}>
            <table class="table table--cards history">
              <caption id="history-caption" class="visually-hidden">
                Roster imports, newest first
              </caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Status</th>
                  <th scope="col">What changed</th>
                  <th scope="col">Errors</th>
                </tr>
              </thead>
              <tbody>
                {entries
                  .filter((entry) => previews || entry.status !== "previewed")
                  .map((entry) => (
                    <Entry key={entry.id} entry={entry} open={open === entry.id} onToggle={() => setOpen(open === entry.id ? null : entry.id)} />
                  ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

/** One import: a row, and under it (when opened) its errors across the whole table. */
function Entry({ entry, open, onToggle }: { entry: ImportEntry; open: boolean; onToggle: () => void }) {
  const errorsId = `history-${entry.id}-errors`;
  return (
    <Fragment>
      <tr data-import-id={entry.id}>
        <th scope="row">
          <time class="nowrap" dateTime={entry.created_at}>
            {WHEN.format(new Date(entry.created_at))}
          </time>
          <div class="muted small">{entry.source}</div>
        </th>
        <td data-label="Who">{entry.created_by ?? "Command line"}</td>
        <td data-label="Status">
          <span class={`badge badge--${entry.status}`}>{STATUSES[entry.status]}</span>
        </td>
        <td data-label="What changed">{entry.status === "rejected" ? "Nothing (refused)" : countsLine(entry.counts)}</td>
        <td data-label="Errors">
          {entry.error_count === 0 ? (
            "None"
          ) : (
            <button type="button" class="btn btn--small" aria-expanded={open} aria-controls={errorsId} onClick={onToggle}>
              {open ? "Hide" : "Show"} {plural(entry.error_count, "error")}
            </button>
          )}
        </td>
      </tr>
      {open && (
        <tr id={errorsId} class="history__errors">
          <td colSpan={5}>
            <ErrorsTable errors={entry.errors} count={entry.error_count} id={`history-${entry.id}`} />
          </td>
        </tr>
      )}
    </Fragment>
  );
}
