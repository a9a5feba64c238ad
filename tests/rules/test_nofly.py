"""No-fly times: the first and last minutes of each period, and closed periods, by policy.

Times in the rows are local to the school in America/Chicago: `at(4, 8, 5)` is Tuesday
4 March 2025, 08:05 (a regular day: Period 1 is 08:00-08:50). The 5th is an assembly day, the
6th has no school, the 7th is a testing day, and DST began on the 9th (see test_schedule.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from server.enums import PolicyScope
from server.errors import ErrorCode
from server.rules import (
    BellSchedule,
    PassRequest,
    PolicyRow,
    Requester,
    SchoolFacts,
    decide_request,
)
from server.rules.limits import limits_check, standing
from server.rules.nofly import no_fly_check
from server.rules.schedule import WindowKind
from tests.rules.school import (
    GOES_OUT,
    LIBRARY,
    NURSE,
    PENDING,
    RESTROOM,
    ROOM_101,
    SCHEDULED,
    Verdict,
    block,
    case,
    denied,
    out,
    row,
    school,
    verdict,
)
from tests.rules.test_schedule import CHICAGO, SCHEDULE, at

STUDENT = 1001
FRIEND = 1002
NO_FLY = denied(ErrorCode.NO_FLY_TIME)
SCHOOL = PolicyScope.SCHOOL
EARLY = at(4, 8, 5)  # Tuesday, five minutes into Period 1


START_10 = row(SCHOOL, no_fly_after_start_minutes=10)
END_5 = row(SCHOOL, no_fly_before_end_minutes=5)
EXEMPT_NURSE = row(PolicyScope.DESTINATION, NURSE.id, exempt=True)


def facts(
    *policies: PolicyRow,
    now: datetime = EARLY,
    schedule: BellSchedule | None = SCHEDULE,
    requester: bool = True,
    last_ended: datetime | None = None,
    base: SchoolFacts | None = None,
) -> SchoolFacts:
    """Return the school at `now` with STUDENT (grade 10, group IEP) asking."""
    me = Requester(STUDENT, 10, frozenset({"IEP"}), (), last_ended)
    return replace(
        base or school(),
        now=now.astimezone(UTC),
        zone=CHICAGO,
        policies=policies,
        requester=me if requester else None,
        schedule=schedule,
    )


def ask(
    to: int = RESTROOM.id, *, staff: bool = False, start_at: datetime | None = None
) -> PassRequest:
    """Return STUDENT's request (to the restroom unless told); `staff`: a staff-issued pass."""
    return PassRequest(STUDENT, ROOM_101.id, to, issued_by_staff=staff, start_at=start_at)


@pytest.mark.parametrize(
    ("facts_", "request_", "expected"),
    [
        # The first and last minutes of a period
        case("in the first minutes of a period",
             facts(START_10, now=at(4, 8, 5)), ask(), NO_FLY),
        case("exactly at the bell: held",
             facts(START_10, now=at(4, 8, 0)), ask(), NO_FLY),
        case("exactly when the first minutes are over: free",
             facts(START_10, now=at(4, 8, 10)), ask(), GOES_OUT),
        case("exactly when the last minutes begin: held",
             facts(END_5, now=at(4, 8, 45)), ask(), NO_FLY),
        case("a second before the last minutes: free",
             facts(END_5, now=at(4, 8, 44, 59)), ask(), GOES_OUT),
        case("exactly at the end bell: passing time, free",
             facts(END_5, now=at(4, 8, 50)), ask(), GOES_OUT),
        case("passing time between periods is not a period's minutes",
             facts(START_10, END_5, now=at(4, 8, 52)), ask(), GOES_OUT),
        case("before school",
             facts(START_10, now=at(4, 7, 30)), ask(), GOES_OUT),
        case("after school",
             facts(END_5, now=at(4, 12, 5)), ask(), GOES_OUT),
        case("a day without school (an override)",
             facts(START_10, now=at(6, 8, 5)), ask(), GOES_OUT),
        case("a Saturday",
             facts(START_10, now=at(8, 8, 5)), ask(), GOES_OUT),
        # Nothing holds without both a setting and a schedule
        case("a schedule alone holds nothing",
             facts(now=at(4, 8, 5)), ask(), GOES_OUT),
        case("a setting without a schedule holds nothing",
             facts(START_10, schedule=None), ask(), GOES_OUT),
        case("a setting of zero minutes is none",
             facts(row(SCHOOL, no_fly_after_start_minutes=0)), ask(), GOES_OUT),
        # Who and where is never held
        case("staff-issued passes are never held",
             facts(START_10), ask(staff=True), GOES_OUT),
        case("staff may schedule a pass to start in a no-fly time",
             facts(START_10), ask(staff=True, start_at=at(4, 8, 56).astimezone(UTC)), SCHEDULED),
        case("facts without a requester (a staff-made pass): nothing to check",
             facts(START_10, requester=False), ask(), GOES_OUT),
        case("an exempt destination (the Nurse) is never held",
             facts(START_10, EXEMPT_NURSE), ask(NURSE.id), PENDING),
        case("an exempt destination doesn't open the others",
             facts(START_10, EXEMPT_NURSE), ask(), NO_FLY),
        case("a student with an accommodation is never held by a no-fly time",
             facts(START_10, row(PolicyScope.STUDENT, STUDENT, accommodation=True)), ask(),
             GOES_OUT),
        case("another student's accommodation opens nothing for this one",
             facts(START_10, row(PolicyScope.STUDENT, FRIEND, accommodation=True)), ask(),
             NO_FLY),
        # Scopes: the same precedence as every setting
        case("a destination's null lifts it for passes there",
             facts(START_10, row(PolicyScope.DESTINATION, LIBRARY.id,
                                 no_fly_after_start_minutes=None)), ask(LIBRARY.id), GOES_OUT),
        case("... and not for other destinations",
             facts(START_10, row(PolicyScope.DESTINATION, LIBRARY.id,
                                 no_fly_after_start_minutes=None)), ask(), NO_FLY),
        case("the student's own row lifts it",
             facts(START_10, row(PolicyScope.STUDENT, STUDENT, no_fly_after_start_minutes=0)),
             ask(), GOES_OUT),
        case("the student's grade sets it",
             facts(row(PolicyScope.GRADE, 10, no_fly_after_start_minutes=10)), ask(), NO_FLY),
        case("another grade's row doesn't apply",
             facts(row(PolicyScope.GRADE, 9, no_fly_after_start_minutes=10)), ask(), GOES_OUT),
        case("the student's group sets it",
             facts(row(PolicyScope.GROUP, "IEP", no_fly_before_end_minutes=50)), ask(), NO_FLY),
        # Closed periods
        case("a closed period, named in another case",
             facts(row(SCHOOL, no_pass_periods=("lunch",)), now=at(4, 10, 50)), ask(), NO_FLY),
        case("a closed period leaves the others open",
             facts(row(SCHOOL, no_pass_periods=("Lunch",)), now=at(4, 10, 39)), ask(), GOES_OUT),
        case("a closed period a day doesn't have closes nothing that day",
             facts(row(SCHOOL, no_pass_periods=("Assembly",)), now=at(4, 9, 0)), ask(),
             GOES_OUT),
        case("on the assembly day, the assembly is closed",
             facts(row(SCHOOL, no_pass_periods=("Assembly",)), now=at(5, 9, 0)), ask(), NO_FLY),
        case("a null list closes nothing",
             facts(row(SCHOOL, no_pass_periods=None), now=at(4, 10, 50)), ask(), GOES_OUT),
        # Modified days and DST: the windows follow the day's bells, in local time
        case("on the assembly day, 08:42 is in the assembly's first minutes",
             facts(START_10, now=at(5, 8, 42)), ask(), NO_FLY),
        case("on a regular day, 08:42 is well into period 1",
             facts(START_10, now=at(4, 8, 42)), ask(), GOES_OUT),
        case("13:05 UTC on the Monday before DST is 07:05, before school",
             facts(START_10, now=datetime(2025, 3, 3, 13, 5, tzinfo=UTC)), ask(), GOES_OUT),
        case("13:05 UTC on the Monday after DST began is 08:05, in period 1's first minutes",
             facts(START_10, now=datetime(2025, 3, 10, 13, 5, tzinfo=UTC)), ask(), NO_FLY),
        # Order: what the student hears first
        case("passes switched off is said first",
             facts(START_10, base=school(passes_enabled=False)), ask(),
             denied(ErrorCode.PASSES_DISABLED)),
        case("already out is said before no-fly",
             facts(START_10, base=school(out(1, STUDENT, LIBRARY))), ask(),
             denied(ErrorCode.ALREADY_OUT)),
        case("a used-up limit is said before no-fly (its time already skips the windows)",
             facts(START_10, row(PolicyScope.STUDENT, STUDENT, passes_per_day=0)), ask(),
             denied(ErrorCode.LIMIT_REACHED)),
        case("no-fly is said before a neutral encounter block (it says when to come back)",
             facts(START_10, base=school(out(1, FRIEND, LIBRARY),
                                         encounters=(block("g", STUDENT, FRIEND),))),
             ask(), NO_FLY),
    ],
)  # fmt: skip
def test_no_fly_in_decide_request(
    facts_: SchoolFacts, request_: PassRequest, expected: Verdict
) -> None:
    assert verdict(decide_request(facts_, request_)) == expected


@pytest.mark.parametrize(
    ("facts_", "detail", "staff_detail"),
    [
        case("the first minutes: when they end, in local time",
             facts(START_10, now=at(4, 8, 5)),
             "No passes in the first 10 minutes of a period. Passes open again at 8:10 AM.",
             "No-fly time: the first 10 minutes of Period 1 on the regular schedule "
             "(set by the school). Passes open again at 8:10 AM."),
        case("the last minute, set by a grade",
             facts(row(PolicyScope.GRADE, 10, no_fly_before_end_minutes=1),
                   now=at(4, 8, 49, 30)),
             "No passes in the last 1 minute of a period. Passes open again at 8:50 AM.",
             "No-fly time: the last 1 minute of Period 1 on the regular schedule "
             "(set by grade 10). Passes open again at 8:50 AM."),
        case("the last minutes run into a closed lunch: open when lunch ends",
             facts(row(SCHOOL, no_fly_before_end_minutes=10, no_pass_periods=("Lunch",)),
                   now=at(4, 10, 35)),
             "No passes in the last 10 minutes of a period. Passes open again at 11:10 AM.",
             "No-fly time: the last 10 minutes of Period 3 on the regular schedule "
             "(set by the school). Passes open again at 11:10 AM."),
        case("a closed period on the testing day, set by a group",
             facts(row(PolicyScope.GROUP, "IEP", no_pass_periods=("Testing",)),
                   now=at(7, 9, 0)),
             "No passes during Testing. Passes open again at 11:00 AM.",
             "No-fly time: no passes during Testing on the testing schedule "
             "(set by group 'IEP'). Passes open again at 11:00 AM."),
        case("first and last minutes overlap in a short period: the longer-lasting speaks",
             facts(row(PolicyScope.DESTINATION, RESTROOM.id, no_fly_after_start_minutes=30,
                       no_fly_before_end_minutes=30), now=at(5, 8, 10)),
             "No passes in the last 30 minutes of a period. Passes open again at 8:35 AM.",
             "No-fly time: the last 30 minutes of Period 1 on the assembly schedule "
             "(set by Restroom North). Passes open again at 8:35 AM."),
        case("the student's own row: never their name",
             facts(row(PolicyScope.STUDENT, STUDENT, no_fly_after_start_minutes=5),
                   now=at(4, 8, 56)),
             "No passes in the first 5 minutes of a period. Passes open again at 9:00 AM.",
             "No-fly time: the first 5 minutes of Period 2 on the regular schedule "
             "(set by this student). Passes open again at 9:00 AM."),
    ],
)  # fmt: skip
def test_no_fly_denials_say_when_passes_open_again(
    facts_: SchoolFacts, detail: str, staff_detail: str
) -> None:
    decision = no_fly_check(facts_, ask())
    assert decision is not None
    assert decision.code is ErrorCode.NO_FLY_TIME
    assert (decision.detail, decision.staff_detail) == (detail, staff_detail)


def test_a_cooldown_that_ends_in_a_no_fly_time_says_when_the_window_ends() -> None:
    # The cooldown ends at 08:55, as period 2 begins: its first 10 minutes are no-fly.
    held = facts(
        row(SCHOOL, cooldown_minutes=15, no_fly_after_start_minutes=10),
        now=at(4, 8, 45),
        last_ended=at(4, 8, 40).astimezone(UTC),
    )
    decision = limits_check(held, ask())
    assert decision is not None
    assert decision.code is ErrorCode.COOLDOWN
    assert (
        decision.detail == "Please wait 15 minutes between passes. Next pass possible at 9:05 AM."
    )


@pytest.mark.parametrize(
    ("facts_", "destination", "code", "next_possible", "windows"),
    [
        case("nothing holds: no windows without a setting",
             facts(), None, None, None, 0),
        case("held by no-fly until the window ends; one window per period",
             facts(START_10), None, ErrorCode.NO_FLY_TIME, at(4, 8, 10), 5),
        case("outside the windows: free, the windows still shown",
             facts(START_10, now=at(4, 8, 20)), None, None, None, 5),
        case("a limit and no-fly: the limit speaks, as in a request",
             facts(START_10, row(SCHOOL, passes_per_day=0)), None, ErrorCode.LIMIT_REACHED, None,
             5),
        case("an exempt destination: no windows at all",
             facts(START_10, EXEMPT_NURSE), NURSE.id, None, None, 0),
    ],
)  # fmt: skip
def test_standing_shows_no_fly_holds_and_windows(
    facts_: SchoolFacts,
    destination: int | None,
    code: ErrorCode | None,
    next_possible: datetime | None,
    windows: int,
) -> None:
    assert facts_.requester is not None
    result = standing(facts_, facts_.requester, destination)
    blocking = result.blocking
    assert (None if blocking is None else blocking.code) == code
    assert result.next_possible_at == next_possible
    assert len(result.windows) == windows
    assert all(w.kind is WindowKind.AFTER_START for w in result.windows)
