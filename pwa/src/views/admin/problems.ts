// The server's 422 names its bad fields (`error.details.fields`); forms show each next to its field.
import { ApiError } from "../../api/client";
import { messageOf } from "../../ui/Button";

/** What went wrong with a form: a message per field the form shows, and the rest in words. */
export interface Problems {
  fields: Record<string, string>;
  general: string | null;
}

export const NO_PROBLEMS: Problems = { fields: {}, general: null };

// Refusals without `details` that still are about one field.
const CODE_FIELDS: Record<string, string> = {
  login_taken: "login",
  student_number_taken: "student_number",
};

/** The form field a server field name belongs to: `staff_ids[0]` and `geometry.width` to theirs. */
export function baseField(name: string, prefix = ""): string {
  const bare = prefix && name.startsWith(prefix) ? name.slice(prefix.length) : name;
  return bare.split(/[.[]/)[0];
}

/** Sort an error into the fields the form shows (`shown`) and a general message for the rest. */
export function problemsOf(error: unknown, shown: readonly string[], prefix = ""): Problems {
  if (!(error instanceof ApiError)) return { fields: {}, general: messageOf(error) };
  const fields: Record<string, string> = {};
  const rest: string[] = [];
  const listed = (error.details?.fields ?? []) as { field?: unknown; message?: unknown }[];
  for (const item of Array.isArray(listed) ? listed : []) {
    const name = typeof item.field === "string" ? item.field : "";
    const message = typeof item.message === "string" ? item.message : "invalid";
    const base = baseField(name, prefix);
    if (shown.includes(base)) {
      // "staff_ids[2]: not staff" says which one when the field is a list.
      const text = base === name.slice(prefix.length) ? message : `${name.slice(prefix.length)}: ${message}`;
      fields[base] = fields[base] ? `${fields[base]}; ${text}` : text;
    } else rest.push(`${name}: ${message}`);
  }
  const coded = CODE_FIELDS[error.code];
  if (coded && shown.includes(coded)) fields[coded] = error.message;
  const named = Object.keys(fields).length > 0;
  const general = rest.length > 0 ? `${error.message} ${rest.join("; ")}` : named ? "Check the marked fields." : error.message;
  return { fields, general };
}

/** Read a whole number typed into a field: "" is null (no limit), anything else must be digits. */
export function wholeNumber(text: string): number | null | "bad" {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : "bad";
}
