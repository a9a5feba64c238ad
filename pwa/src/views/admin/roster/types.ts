// The roster import's wire types (server/contract/roster.py), and the sections' (generated).
import type { components } from "../../../contract/openapi";

type Schemas = components["schemas"];

export type SectionList = Schemas["SectionList"];
export type Section = Schemas["SectionOut"];
export type DaySchedule = Schemas["DaySchedule"];

// Written by hand from server/contract/roster.py until the import API is in shared/openapi.json;
// then each becomes Schemas["ImportResult"] and so on (same names, same fields).
export type ImportStatus = "applied" | "previewed" | "rejected";
export type Kind = "schools" | "users" | "sections" | "enrollments" | "rooms";

export interface RowError {
  file: string;
  line: number | null;
  column: string | null;
  code: string;
  message: string;
}

export interface Counts {
  created: number;
  updated: number;
  disabled: number;
  unchanged: number;
}

export interface Change {
  kind: Kind;
  action: "create" | "update" | "disable";
  source_id: string;
  label: string;
  fields: string[];
}

export interface ImportResult {
  id: number;
  status: ImportStatus;
  format: "oneroster" | "csv";
  school_id: number;
  counts: Partial<Record<Kind, Counts>>;
  changes: Change[];
  plan: string;
}

export interface ImportRejected {
  id: number;
  status: "rejected";
  errors: RowError[];
  error_count: number;
}

export interface ImportEntry {
  id: number;
  status: ImportStatus;
  format: "oneroster" | "csv";
  source: string;
  created_at: string;
  created_by: string | null;
  counts: Partial<Record<Kind, Counts>>;
  error_count: number;
  errors: RowError[];
}

export interface ImportHistory {
  imports: ImportEntry[];
}
