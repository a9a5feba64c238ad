// Issue a pass to a student of the room: pick the student, the place, go.
import { useState } from "preact/hooks";
import { requestPass } from "../../api/actions";
import type { StudentHit } from "../../api/types";
import { places } from "../../live/store";
import { messageOf } from "../../ui/Button";

/** A small form: student (of the class the teacher's list shows), destination, issue. */
export function IssuePass({ students, hasPass }: { students: StudentHit[]; hasPass: ReadonlyMap<number, boolean> }) {
  const [studentId, setStudentId] = useState("");
  const [destinationId, setDestinationId] = useState("");
  const [message, setMessage] = useState<{ good: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const destinations = places.value.filter((p) => p.is_destination && p.active);

  async function submit(event: Event) {
    event.preventDefault();
    const student = students.find((s) => String(s.id) === studentId);
    const place = destinations.find((p) => String(p.id) === destinationId);
    if (!student || !place) return;
    setBusy(true);
    setMessage(null);
    try {
      const outcome = await requestPass(
        { destination_id: place.id, student_id: student.id },
        `Pass for ${student.name} to ${place.name}`,
      );
      setMessage({
        good: true,
        text: outcome.kind === "queued" ? `Saved offline: ${student.name} to ${place.name}.` : `${student.name}: ${place.name}.`,
      });
      setStudentId("");
    } catch (error) {
      setMessage({ good: false, text: messageOf(error) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card" onSubmit={(event) => void submit(event)} aria-labelledby="issue-title">
      <h2 id="issue-title">Issue a pass</h2>
      <label for="issue-student">Student</label>
      <select id="issue-student" required value={studentId} onChange={(e) => setStudentId(e.currentTarget.value)}>
        <option value="">Choose a student</option>
        {students.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
            {s.student_number ? ` (${s.student_number})` : ""}
            {(hasPass.get(s.id) ?? s.has_open_pass) ? " · has a pass" : ""}
          </option>
        ))}
      </select>
      <label for="issue-place">Going to</label>
      <select id="issue-place" required value={destinationId} onChange={(e) => setDestinationId(e.currentTarget.value)}>
        <option value="">Choose a place</option>
        {destinations.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      <p class={message?.good ? "notice notice--good" : "form-error"} role="status">
        {message?.text}
      </p>
      <button class="btn btn--primary btn--wide" type="submit" disabled={busy}>
        Issue pass
      </button>
    </form>
  );
}
