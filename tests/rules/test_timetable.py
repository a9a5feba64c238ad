"""Where a student is at a moment: the section of the current period, else the fallback.

The school is in America/Chicago. March 2025: Tuesday the 4th is a regular day, Wednesday the
5th an assembly day (other bells, the same period names), Thursday the 6th a day off, and
Saturday the 8th a weekend.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from server.rules import BellSchedule, Period
from server.rules.schedule import day_at
from server.rules.timetable import Enrolled, Fallback, Meeting, Placement, place_at

CHICAGO = ZoneInfo("America/Chicago")
HOME_ROOM = 100  # the student's `home_location_id`


def period(name: str, start: str, end: str) -> Period:
    """Return a period from HH:MM texts."""
    return Period(name, time.fromisoformat(start), time.fromisoformat(end))


REGULAR = (
    period("Period 1", "08:00", "08:50"),
    period("Period 2", "08:55", "09:45"),
    period("Period 3", "09:50", "10:40"),
    period("Lunch", "10:40", "11:10"),  # right after period 3: no passing time
    period("Period 4", "11:15", "12:05"),
)
ASSEMBLY = (
    period("Period 1", "08:00", "08:35"),
    period("Assembly", "08:40", "09:40"),
    period("Period 2", "09:45", "10:20"),
    period("Period 3", "10:25", "11:00"),
)
SCHEDULE = BellSchedule(
    day_types={"regular": REGULAR, "assembly": ASSEMBLY},
    weekdays=("regular",) * 5 + (None, None),
    overrides={date(2025, 3, 5): "assembly", date(2025, 3, 6): None},
)

HOMEROOM = Enrolled(10, "Advisory", 110, (), teacher_ids=(510,), homeroom=True)
ALGEBRA = Enrolled(11, "Algebra", 101, (Meeting("Period 1"),), teacher_ids=(501,))
# Biology meets in period 2 of regular days only: on an assembly day period 2 is free.
BIOLOGY = Enrolled(12, "Biology", 102, (Meeting("period 2 ", "Regular"),), teacher_ids=(502,))
CHEMISTRY = Enrolled(13, "Chemistry", 103, (Meeting("Period 3"),), teacher_ids=(503, 504))
DAY = (HOMEROOM, ALGEBRA, BIOLOGY, CHEMISTRY)

IN_HOMEROOM = Placement(110, 10, None, (510,))
IN_ALGEBRA = Placement(101, 11, "Period 1", (501,))
IN_BIOLOGY = Placement(102, 12, "Period 2", (502,))
IN_CHEMISTRY = Placement(103, 13, "Period 3", (503, 504))


def at(day: int, clock: str) -> datetime:
    """Return a school-local moment in March 2025 from HH:MM or HH:MM:SS."""
    return datetime.combine(date(2025, 3, day), time.fromisoformat(clock), tzinfo=CHICAGO)


def placed(
    moment: datetime,
    sections: tuple[Enrolled, ...] = DAY,
    fallback: Fallback = Fallback.HOMEROOM,
    home: int | None = HOME_ROOM,
) -> Placement:
    """Return where the student is at the moment."""
    return place_at(day_at(SCHEDULE, moment, CHICAGO), sections, home, fallback)


@pytest.mark.parametrize(
    ("clock", "expected"),
    [
        ("07:30", IN_HOMEROOM),  # before school
        ("08:00", IN_ALGEBRA),  # exactly at the first bell
        ("08:49:59", IN_ALGEBRA),
        ("08:50", IN_HOMEROOM),  # the bell ends period 1: passing time
        ("08:54:59", IN_HOMEROOM),
        ("08:55", IN_BIOLOGY),  # exactly at period 2's start
        ("10:39:59", IN_CHEMISTRY),
        ("10:40", IN_HOMEROOM),  # lunch: a period with no section of theirs
        ("11:30", IN_HOMEROOM),  # period 4: no section either
        ("12:05", IN_HOMEROOM),  # after school, from the last bell's end
        ("18:00", IN_HOMEROOM),
    ],
)
def test_a_regular_day_with_the_homeroom_fallback(clock: str, expected: Placement) -> None:
    assert placed(at(4, clock)) == expected


@pytest.mark.parametrize(
    ("clock", "expected"),
    [
        ("07:30", IN_HOMEROOM),  # nothing has ended before school
        ("08:00", IN_ALGEBRA),
        ("08:50", IN_ALGEBRA),  # passing time: the teacher who just had them
        ("08:54:59", IN_ALGEBRA),
        ("08:55", IN_BIOLOGY),
        ("10:40", IN_CHEMISTRY),  # lunch right after period 3: period 3's room
        ("11:12", IN_HOMEROOM),  # passing after lunch: lunch had no section
        ("11:30", IN_HOMEROOM),  # period 4 follows a free lunch: nothing to go back to
        ("12:05", IN_HOMEROOM),  # after school
    ],
)
def test_a_regular_day_with_the_previous_period_fallback(clock: str, expected: Placement) -> None:
    assert placed(at(4, clock), fallback=Fallback.PREVIOUS_PERIOD) == expected


@pytest.mark.parametrize(
    ("clock", "expected"),
    [
        ("08:00", IN_ALGEBRA),  # period 1 meets on every day type, at the assembly bells
        ("08:35", IN_HOMEROOM),  # period 1 ends earlier today
        ("08:55", IN_HOMEROOM),  # the assembly, where regular days have period 2
        ("09:50", IN_HOMEROOM),  # period 2 by today's bells: biology meets on regular days only
        ("10:25", IN_CHEMISTRY),  # period 3 by today's bells, not the regular 09:50
        ("10:10", IN_HOMEROOM),
    ],
)
def test_an_assembly_day_follows_its_own_bells(clock: str, expected: Placement) -> None:
    assert placed(at(5, clock)) == expected


@pytest.mark.parametrize("moment", [at(6, "09:00"), at(8, "09:00"), at(9, "09:00")])
@pytest.mark.parametrize("fallback", list(Fallback))
def test_no_school_is_the_homeroom(moment: datetime, fallback: Fallback) -> None:
    assert placed(moment, fallback=fallback) == IN_HOMEROOM


def test_without_a_homeroom_section_the_home_room_and_no_section() -> None:
    assert placed(at(4, "07:30"), (ALGEBRA,)) == Placement(HOME_ROOM)
    assert placed(at(4, "08:10"), (ALGEBRA,)) == IN_ALGEBRA


def test_a_student_with_no_section_is_in_their_home_room_all_day() -> None:
    for clock in ("07:00", "08:00", "08:52", "10:45", "13:00"):
        for fallback in Fallback:
            assert placed(at(4, clock), (), fallback) == Placement(HOME_ROOM)
    assert placed(at(4, "08:00"), (), home=None) == Placement(None)


def test_a_section_runs_only_within_its_term() -> None:
    ended = Enrolled(11, "Algebra", 101, (Meeting("Period 1"),), ends_on=date(2025, 3, 3))
    starts = Enrolled(11, "Algebra", 101, (Meeting("Period 1"),), starts_on=date(2025, 3, 5))
    assert placed(at(4, "08:10"), (HOMEROOM, ended)) == IN_HOMEROOM
    assert placed(at(4, "08:10"), (HOMEROOM, starts)) == IN_HOMEROOM
    assert placed(at(5, "08:10"), (HOMEROOM, starts)).section_id == 11
    last_day = Enrolled(11, "Algebra", 101, (Meeting("Period 1"),), ends_on=date(2025, 3, 4))
    assert placed(at(4, "08:10"), (last_day,)).section_id == 11  # the last day is in the term


def test_an_enrollment_that_begins_mid_term() -> None:
    joins = Enrolled(12, "Biology", 102, (Meeting("Period 2"),), begins_on=date(2025, 3, 4))
    left = Enrolled(12, "Biology", 102, (Meeting("Period 2"),), until=date(2025, 3, 3))
    assert placed(at(3, "09:00"), (joins,)) == Placement(HOME_ROOM)
    assert placed(at(4, "09:00"), (joins,)) == Placement(102, 12, "Period 2")
    assert placed(at(4, "09:00"), (left,)) == Placement(HOME_ROOM)


def test_a_homeroom_section_outside_its_term_gives_way_to_the_home_room() -> None:
    over = Enrolled(10, "Advisory", 110, (), homeroom=True, ends_on=date(2025, 3, 1))
    assert placed(at(4, "07:30"), (over, ALGEBRA)) == Placement(HOME_ROOM)


def test_a_section_without_a_room_falls_back() -> None:
    roomless = Enrolled(11, "Algebra", None, (Meeting("Period 1"),), teacher_ids=(501,))
    assert placed(at(4, "08:10"), (HOMEROOM, roomless)) == IN_HOMEROOM
    assert placed(at(4, "08:52"), (HOMEROOM, roomless), Fallback.PREVIOUS_PERIOD) == IN_HOMEROOM


def test_two_sections_in_one_period_pick_the_lowest_id_whatever_the_order() -> None:
    other = Enrolled(9, "Study hall", 109, (Meeting("Period 1"),))
    for sections in ((ALGEBRA, other), (other, ALGEBRA)):
        assert placed(at(4, "08:10"), sections) == Placement(109, 9, "Period 1")
    two_homerooms = (Enrolled(20, "B", 120, (), homeroom=True), HOMEROOM)
    assert placed(at(4, "07:00"), two_homerooms) == IN_HOMEROOM


def test_a_class_wins_over_a_homeroom_meeting_in_the_same_period() -> None:
    advisory = Enrolled(5, "Advisory", 105, (Meeting("Period 1"),), homeroom=True)
    assert placed(at(4, "08:10"), (advisory, ALGEBRA)) == IN_ALGEBRA
