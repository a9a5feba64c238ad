// Issue a pass to a student of the room: pick the student, the place, go.
import { useState } from "preact/hooks";
import { requestPass } from "../../api/actions";
import type { StudentHit } from "../../api/types";
import { places } from "../../live/store";
import { messageOf } from "../../ui/Button";
import { PlaceChoice, StudentChoice } from "./PassChoices";

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
      <StudentChoice id="issue" value={studentId} onChange={setStudentId} students={students} hasPass={hasPass} />
      <PlaceChoice id="issue" value={destinationId} onChange={setDestinationId} places={destinations} />
      <p class={message?.good ? "notice notice--good" : "form-error"} role="status">
        {message?.text}
      </p>
      <button class="btn btn--primary btn--wide" type="submit" disabled={busy}>
        Issue pass
      </button>
    </form>
  );
}
