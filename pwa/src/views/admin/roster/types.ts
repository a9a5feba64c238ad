// The wire types of the Roster tab, read from the generated contract (shared/openapi.json).
import type { components } from "../../../contract/openapi";

type Schemas = components["schemas"];

export type SectionList = Schemas["SectionList"];
export type Section = Schemas["SectionOut"];
export type DaySchedule = Schemas["DaySchedule"];
export type ImportStatus = Schemas["ImportStatus"];
export type RowError = Schemas["RowError"];
export type Counts = Schemas["ImportCounts"];
export type Change = Schemas["ImportChange"];
export type Kind = Change["kind"];
export type ImportResult = Schemas["ImportResult"];
export type ImportRejected = Schemas["ImportRejected"];
export type ImportEntry = Schemas["ImportEntry"];
export type ImportHistory = Schemas["ImportHistory"];
/** An import's counts by kind (only the kinds the file has). */
export type CountsByKind = Partial<Record<Kind, Counts>>;
