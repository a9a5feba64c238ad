// Students found by name or number as the user types (GET /api/students?q=), for pickers.
import { useEffect, useState } from "preact/hooks";
import { call } from "../../api/client";
import type { StudentHit } from "../../api/types";
import { messageOf } from "../../ui/Button";

/** The first eight students matching `query`, and a status line for a screen reader. */
export function useStudentSearch(query: string): { hits: StudentHit[]; status: string } {
  const [hits, setHits] = useState<StudentHit[]>([]);
  const [status, setStatus] = useState<string>("");

  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setHits([]);
      setStatus("");
      return;
    }
    const abort = new AbortController();
    // A short pause so typing a name doesn't send a request per letter.
    const timer = window.setTimeout(() => {
      call<StudentHit[]>("GET", `/api/students?q=${encodeURIComponent(q)}&limit=8`, { signal: abort.signal }).then(
        (found) => {
          setHits(found);
          setStatus(found.length ? `${found.length} found` : "No student matches.");
        },
        (e) => {
          if (!(e instanceof DOMException)) setStatus(messageOf(e));
        },
      );
    }, 200);
    return () => {
      window.clearTimeout(timer);
      abort.abort();
    };
  }, [query]);

  return { hits, status };
}
