// Schedule a pass for later: a student of the class, the place, the day and time, its minutes.
import { useState } from "preact/hooks";
import { requestPass } from "../../api/actions";
import type { StudentHit } from "../../api/types";
import { me, places } from "../../live/store";
import { messageOf } from "../../ui/Button";
import { timeOfDay } from "../../ui/format";
import { todayIn, wallToIso } from "./wallClock";
import { PlaceChoice, StudentChoice } from "./PassChoices";

// The server's bounds of a pass's minutes (server/contract/places.py PassMinutes).
const MIN_MINUTES = 1;
const MAX_MINUTES = 240;

/** The form; the scheduled pass then shows in "In line and scheduled", where it can be cancelled. */
export function SchedulePass({ students }: { students: StudentHit[] }) {
  const zone = me.value?.school.timezone ?? "UTC";
  const [studentId, setStudentId] = useState("");
  const [destinationId, setDestinationId] = useState("");
  const [date, setDate] = useState(() => todayIn(zone));
  const [time, setTime] = useState("");
  const [minutes, setMinutes] = useState("");
  const [message, setMessage] = useState<{ good: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const destinations = places.value.filter((p) => p.is_destination && p.active);
  const place = destinations.find((p) => String(p.id) === destinationId);

  async function submit(event: Event) {
    event.preventDefault();
    const student = students.find((s) => String(s.id) === studentId);
    if (!student || !place || !date || !time) return;
    const start = wallToIso(date, time, zone);
    if (Date.parse(start) <= Date.now()) {
      setMessage({ good: false, text: "Choose a time later than now." });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      const lasts = minutes ? Number(minutes) : place.default_minutes;
      const outcome = await requestPass(
        { destination_id: place.id, student_id: student.id, start_at: start, minutes: lasts },
        `Pass for ${student.name} to ${place.name} at ${timeOfDay(start, zone)}`,
      );
      const what = `${student.name}: ${place.name} at ${timeOfDay(start, zone)} for ${lasts} min.`;
      setMessage({ good: true, text: outcome.kind === "queued" ? `Saved offline: ${what}` : `Scheduled ${what}` });
      setStudentId("");
    } catch (error) {
      setMessage({ good: false, text: messageOf(error) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card schedule-pass" onSubmit={(event) => void submit(event)} aria-labelledby="schedule-title">
      <h2 id="schedule-title">Schedule a pass</h2>
      <StudentChoice id="schedule" value={studentId} onChange={setStudentId} students={students} />
      <PlaceChoice id="schedule" value={destinationId} onChange={setDestinationId} places={destinations} />
      <div class="schedule-pass__when">
        <span>
          <label for="schedule-date">Day</label>
          <input id="schedule-date" type="date" required value={date} min={todayIn(zone)} onInput={(e) => setDate(e.currentTarget.value)} />
        </span>
        <span>
          <label for="schedule-time">Time</label>
          <input id="schedule-time" type="time" required value={time} onInput={(e) => setTime(e.currentTarget.value)} />
        </span>
        <span>
          <label for="schedule-minutes">Minutes</label>
          <input
            id="schedule-minutes"
            type="number"
            inputMode="numeric"
            min={MIN_MINUTES}
            max={MAX_MINUTES}
            step={1}
            placeholder={place ? String(place.default_minutes) : "5"}
            value={minutes}
            onInput={(e) => setMinutes(e.currentTarget.value)}
          />
        </span>
      </div>
      <p class={message?.good ? "notice notice--good" : "form-error"} role="status">
        {message?.text}
      </p>
      <button class="btn btn--primary btn--wide" type="submit" disabled={busy}>
        Schedule pass
      </button>
    </form>
  );
}
