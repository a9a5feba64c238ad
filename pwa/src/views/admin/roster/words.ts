// How the Roster tab says the import's kinds, actions and statuses, and a file's type.
import type { Change, Counts, CountsByKind, ImportStatus, Kind } from "./types";

export const KINDS: readonly (readonly [Kind, string])[] = [
  ["schools", "Schools"],
  ["users", "People"],
  ["rooms", "Rooms"],
  ["sections", "Sections"],
  ["enrollments", "Enrollments"],
];

export const ACTIONS: Record<Change["action"], string> = { create: "New", update: "Changed", disable: "Disabled" };

export const STATUSES: Record<ImportStatus, string> = { applied: "Applied", previewed: "Preview", rejected: "Refused" };

export const COLUMNS: readonly (readonly [keyof Counts, string])[] = [
  ["created", "New"],
  ["updated", "Changed"],
  ["disabled", "Disabled"],
  ["unchanged", "Unchanged"],
];

/** The Content-Type an upload is sent with: a zip, or else the flat CSV; null for anything else. */
export function uploadType(file: File): string | null {
  const name = file.name.toLowerCase();
  if (name.endsWith(".zip") || /zip/.test(file.type)) return "application/zip";
  if (name.endsWith(".csv") || file.type === "text/csv") return "text/csv";
  return null;
}

/** Say a file's size in words: "820 KB", "3.4 MB". */
export function size(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** One line for an import's counts: "People: 3 new, 1 changed · Sections: 2 new" (changes only). */
export function countsLine(counts: CountsByKind): string {
  const parts = KINDS.flatMap(([kind, label]) => {
    const c = counts[kind];
    if (!c) return [];
    const said = COLUMNS.filter(([key]) => key !== "unchanged" && c[key] > 0).map(([key, word]) => `${c[key]} ${word.toLowerCase()}`);
    return said.length ? [`${label}: ${said.join(", ")}`] : [];
  });
  return parts.length ? parts.join(" · ") : "No changes";
}

/** Say how many of something: "1 error", "12 errors". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}
