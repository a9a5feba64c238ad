// Import a roster: choose a file, see what it would change (a dry run), then apply exactly that.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, call } from "../../../api/client";
import { messageOf } from "../../../ui/Button";
import { FormMessage, SelectField } from "../Field";
import type { Change, CountsByKind, ImportRejected, ImportResult, Kind, RowError } from "./types";
import { ACTIONS, COLUMNS, KINDS, countsLine, plural, size, uploadType } from "./words";

// The server refuses more (413) before reading it: say so before sending it.
const MAX_BYTES = 50 * 1024 * 1024;
// Rows shown before "Show all": a big first import lists hundreds of changes.
const FIRST_ROWS = 100;
// server/contract/roster.py MAX_LISTED_CHANGES.
const LISTED_PER_KIND = 500;

type Outcome =
  | { kind: "preview"; result: ImportResult; file: File }
  | { kind: "rejected"; rejected: ImportRejected; file: File }
  | { kind: "applied"; result: ImportResult };

/** The refusal in a 422's details: every error, with file, line and column. */
export function rejectedOf(error: unknown): ImportRejected | null {
  if (!(error instanceof ApiError) || error.status !== 422 || !error.details) return null;
  const details = error.details as Partial<ImportRejected> & { rejected?: Partial<ImportRejected> };
  const body = Array.isArray(details.errors) ? details : details.rejected;
  if (!body || !Array.isArray(body.errors)) return null;
  return {
    id: typeof body.id === "number" ? body.id : 0,
    status: "rejected",
    errors: body.errors,
    error_count: typeof body.error_count === "number" ? body.error_count : body.errors.length,
  };
}

/** Words for a failed upload: the cases an admin can act on, else the server's own. */
function refusal(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 409) return "The roster changed since the preview: preview again before applying.";
    if (error.status === 413) return "The file is larger than 50 MB. Split it, or import from the command line.";
    if (error.status === 415) return "Send a OneRoster zip or a CSV file.";
  }
  return messageOf(error);
}

/** A school org the file holds, to pick when it holds several (`org_required`). */
interface Org {
  source_id: string;
  name: string;
}

/** The orgs an `org_required` refusal lists, else null. */
function orgsOf(error: unknown): Org[] | null {
  if (!(error instanceof ApiError) || error.code !== "org_required") return null;
  const orgs = (error.details?.orgs ?? []) as Org[];
  return Array.isArray(orgs) && orgs.length > 0 ? orgs : null;
}

async function upload(file: File, org: string, extra: Record<string, string>): Promise<ImportResult> {
  const type = uploadType(file) ?? "application/octet-stream";
  const query = new URLSearchParams({ ...extra, filename: file.name.slice(0, 255) });
  if (org) query.set("org", org);
  return call<ImportResult>("POST", `/api/roster/imports?${query.toString()}`, { raw: { body: file, type } });
}

/** The import card: the file, the preview or the errors, and Apply. */
export function RosterImport({ onDone }: { onDone: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState<"preview" | "apply" | null>(null);
  // A file with several schools: which one this school imports (asked once the server says so).
  const [orgs, setOrgs] = useState<Org[] | null>(null);
  const [org, setOrg] = useState("");
  const input = useRef<HTMLInputElement>(null);
  const result = useRef<HTMLHeadingElement>(null);

  // A new preview, list of errors or result: take the keyboard (and the screen reader) to it.
  useEffect(() => {
    if (outcome) result.current?.focus();
  }, [outcome]);

  async function preview(event?: Event) {
    event?.preventDefault();
    setMessage(null);
    if (!file) {
      setMessage("Choose a roster file first.");
      input.current?.focus();
      return;
    }
    if (!uploadType(file)) return setMessage(`${file.name} is neither a zip nor a CSV file.`);
    if (file.size > MAX_BYTES) return setMessage(`${file.name} is ${size(file.size)}: larger than 50 MB.`);
    setBusy("preview");
    setOutcome(null);
    try {
      setOutcome({ kind: "preview", result: await upload(file, org, { dry_run: "true" }), file });
    } catch (error) {
      const rejected = rejectedOf(error);
      const listed = orgsOf(error);
      if (rejected) setOutcome({ kind: "rejected", rejected, file });
      else if (listed && !orgs) {
        setOrgs(listed);
        setMessage("This file holds several schools: choose which one is this school, then preview again.");
      } else setMessage(refusal(error));
    } finally {
      setBusy(null);
      onDone(); // a preview or a refusal is a line of the history too
    }
  }

  async function apply(previewed: ImportResult, from: File) {
    setMessage(null);
    setBusy("apply");
    try {
      setOutcome({ kind: "applied", result: await upload(from, org, { dry_run: "false", expect_plan: previewed.plan }) });
      setFile(null);
      setOrgs(null);
      setOrg("");
      if (input.current) input.current.value = "";
    } catch (error) {
      const rejected = rejectedOf(error);
      if (rejected) setOutcome({ kind: "rejected", rejected, file: from });
      else {
        // An overtaken preview must not be applied by a second click: only a new preview may.
        if (error instanceof ApiError && error.status === 409) setOutcome(null);
        setMessage(refusal(error));
      }
    } finally {
      setBusy(null);
      onDone();
    }
  }

  return (
    <section class="card stack" aria-labelledby="import-title">
      <h2 id="import-title">Import a roster</h2>
      <form class="roster-upload" onSubmit={(event) => void preview(event)} noValidate>
        <div class="field">
          <label for="roster-file">Roster file</label>
          <input
            ref={input}
            id="roster-file"
            type="file"
            accept=".zip,.csv,application/zip,text/csv"
            aria-describedby="roster-file-hint"
            onChange={(e) => {
              setFile(e.currentTarget.files?.[0] ?? null);
              setOutcome(null);
              setMessage(null);
              setOrgs(null);
              setOrg("");
            }}
          />
          <p id="roster-file-hint" class="field__hint">
            A OneRoster 1.1 or 1.2 CSV zip, or the flat CSV. Up to 50 MB. Nothing changes until you apply the preview.
          </p>
        </div>
        {orgs && (
          <SelectField
            id="roster-org"
            label="Which school of the file is this one?"
            value={org}
            options={[["", "Choose a school"], ...orgs.map((o): [string, string] => [o.source_id, `${o.name} (${o.source_id})`])]}
            onChange={setOrg}
          />
        )}
        <button class="btn btn--primary" type="submit" disabled={busy !== null} aria-busy={busy === "preview"}>
          {busy === "preview" ? "Reading the file…" : "Preview changes"}
        </button>
      </form>
      <FormMessage text={message} />
      {outcome?.kind === "preview" && (
        <Preview
          result={outcome.result}
          file={outcome.file}
          heading={result}
          busy={busy === "apply"}
          onApply={() => void apply(outcome.result, outcome.file)}
          onCancel={() => setOutcome(null)}
        />
      )}
      {outcome?.kind === "rejected" && <Rejected rejected={outcome.rejected} file={outcome.file} heading={result} />}
      {outcome?.kind === "applied" && (
        <div class="notice notice--good stack" role="status">
          <h3 ref={result} tabIndex={-1}>
            Roster imported
          </h3>
          <p>{countsLine(outcome.result.counts)}.</p>
        </div>
      )}
    </section>
  );
}

function Preview({
  result,
  file,
  heading,
  busy,
  onApply,
  onCancel,
}: {
  result: ImportResult;
  file: File;
  heading: preact.RefObject<HTMLHeadingElement>;
  busy: boolean;
  onApply: () => void;
  onCancel: () => void;
}) {
  const changed = KINDS.some(([kind]) => {
    const c = result.counts[kind];
    return c !== undefined && c.created + c.updated + c.disabled > 0;
  });
  return (
    <div class="stack roster-result">
      <h3 ref={heading} tabIndex={-1}>
        Preview of {file.name}
      </h3>
      <CountsTable counts={result.counts} />
      {changed ? (
        <>
          <ChangesTable changes={result.changes} counts={result.counts} />
          <p>Applying writes exactly these changes in one step. If the roster changes in the meantime, you will be asked to preview again.</p>
          <div class="btn-row">
            <button type="button" class="btn btn--primary" disabled={busy} aria-busy={busy} onClick={onApply}>
              {busy ? "Applying…" : "Apply these changes"}
            </button>
            <button type="button" class="btn" disabled={busy} onClick={onCancel}>
              Cancel
            </button>
          </div>
        </>
      ) : (
        <p class="notice notice--good">Nothing to change: the school already matches this roster.</p>
      )}
    </div>
  );
}

/** Per kind: how many records are new, changed, disabled and unchanged. */
function CountsTable({ counts }: { counts: CountsByKind }) {
  const kinds = KINDS.filter(([kind]) => counts[kind] !== undefined);
  return (
    <div class="table-wrap table-wrap--fit" role="region" aria-labelledby="counts-caption" tabIndex={0}>
      <table class="table table--numbers table--cards">
        <caption id="counts-caption">What the import changes, by kind of record</caption>
        <thead>
          <tr>
            <th scope="col">Records</th>
            {COLUMNS.map(([key, word]) => (
              <th key={key} scope="col" class="count">
                {word}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {kinds.map(([kind, label]) => (
            <tr key={kind}>
              <th scope="row">{label}</th>
              {COLUMNS.map(([key, word]) => (
                <td key={key} data-label={word} class={key !== "unchanged" && (counts[kind]?.[key] ?? 0) > 0 ? `count count--${key}` : "count"}>
                  {(counts[kind]?.[key] ?? 0).toLocaleString()}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The changes one by one: kind, what happens, the record and the fields that change. */
function ChangesTable({ changes, counts }: { changes: Change[]; counts: CountsByKind }) {
  const [all, setAll] = useState(false);
  const kindWord = (kind: Kind) => KINDS.find(([k]) => k === kind)?.[1] ?? kind;
  const shown = all ? changes : changes.slice(0, FIRST_ROWS);
  // The server lists the first 500 changes of each kind (counts are always whole): say when it cut.
  const cut = KINDS.some(([kind]) => {
    const c = counts[kind];
    const listed = changes.filter((change) => change.kind === kind).length;
    return c !== undefined && listed >= LISTED_PER_KIND && listed < c.created + c.updated + c.disabled;
  });
  return (
    <>
      <div class="table-wrap table-wrap--tall" role="region" aria-labelledby="changes-caption" tabIndex={0}>
        <table class="table table--cards">
          <caption id="changes-caption">
            {cut ? `The first ${LISTED_PER_KIND} changes of each kind` : `The ${plural(changes.length, "change")}`}
          </caption>
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Change</th>
              <th scope="col">Record</th>
              <th scope="col">Source id</th>
              <th scope="col">Fields</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((c) => (
              <tr key={`${c.kind}:${c.source_id}`}>
                <td data-label="Kind">{kindWord(c.kind)}</td>
                <td data-label="Change">
                  <span class={`badge badge--${c.action}`}>{ACTIONS[c.action]}</span>
                </td>
                <th scope="row">{c.label}</th>
                <td class="mono" data-label="Source id">
                  {c.source_id}
                </td>
                <td data-label="Fields">{c.fields?.join(", ") || "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {shown.length < changes.length && (
        <button type="button" class="btn roster-more" onClick={() => setAll(true)}>
          Show all {changes.length.toLocaleString()} changes
        </button>
      )}
    </>
  );
}

/** A refused import: every error with its file, line and column. Nothing was written. */
function Rejected({ rejected, file, heading }: { rejected: ImportRejected; file: File; heading: preact.RefObject<HTMLHeadingElement> }) {
  return (
    <div class="stack roster-result">
      <div class="notice notice--bad">
        <h3 ref={heading} tabIndex={-1}>
          {file.name} can't be imported: {plural(rejected.error_count, "error")}
        </h3>
        <p>Nothing was changed. Fix these in the file (or in the school's information system) and preview again.</p>
      </div>
      <ErrorsTable errors={rejected.errors} count={rejected.error_count} id="import-errors" />
    </div>
  );
}

/** Errors as a table: file, line, column, message; says how many there are in all. */
export function ErrorsTable({ errors, count, id }: { errors: RowError[]; count: number; id: string }) {
  return (
    <div class="table-wrap table-wrap--tall" role="region" aria-labelledby={`${id}-caption`} tabIndex={0}>
      <table class="table table--cards">
        <caption id={`${id}-caption`}>
          {count > errors.length ? `The first ${errors.length.toLocaleString()} of ${plural(count, "error")}` : plural(count, "error")}
        </caption>
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col" class="count">
              Line
            </th>
            <th scope="col">Column</th>
            <th scope="col">Problem</th>
          </tr>
        </thead>
        <tbody>
          {errors.map((e, index) => (
            <tr key={index}>
              <td class="mono" data-label="File">
                {e.file}
              </td>
              <td class="count" data-label="Line">
                {e.line ?? "—"}
              </td>
              <td class="mono" data-label="Column">
                {e.column ?? "—"}
              </td>
              <td data-label="Problem">{e.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
