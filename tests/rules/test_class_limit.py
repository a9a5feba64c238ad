"""The origin maximum out counts one class: a pass's section, else its room without a section.

Room 101 holds period 2's section 2 and then period 3's section 3; its `max_out` is the limit.
"""

from __future__ import annotations

from dataclasses import replace

from server.enums import PassState
from server.rules import OpenPass, Place, admit
from server.rules.capacity import same_class
from tests.rules.school import (
    GOES_OUT,
    IN_LINE,
    LIBRARY,
    RESTROOM,
    ROOM_101,
    ROOM_102,
    school,
    verdict,
)

STUDENT = 1001
OTHER = 1020
PERIOD_2 = 2
PERIOD_3 = 3
ONE_OUT = (replace(ROOM_101, max_out=1),)


def out_of(pass_id: int, student: int, section: int | None, frm: Place = ROOM_101) -> OpenPass:
    """Return an active pass to the library that left a section (or, None, a room)."""
    return OpenPass(pass_id, student, frm.id, LIBRARY.id, PassState.ACTIVE, section_id=section)


def asking(section: int | None) -> OpenPass:
    """Return the student's restroom pass from Room 101, deciding, from that section."""
    return OpenPass(50, STUDENT, ROOM_101.id, RESTROOM.id, PassState.WAITING, section_id=section)


def test_a_classmate_out_fills_the_class() -> None:
    decision = admit(school(out_of(1, OTHER, PERIOD_3), places=ONE_OUT), asking(PERIOD_3))
    assert verdict(decision) == IN_LINE
    assert decision.detail == "1 student is already out of your class."


def test_a_student_of_the_period_before_still_out_counts_for_their_own_class() -> None:
    # Period 2's student left Room 101 and is still out in period 3: not period 3's limit.
    facts = school(out_of(1, OTHER, PERIOD_2), places=ONE_OUT)
    assert verdict(admit(facts, asking(PERIOD_3))) == GOES_OUT
    assert verdict(admit(facts, asking(PERIOD_2))) == IN_LINE


def test_a_class_counts_its_passes_from_any_room() -> None:
    # The section met in Room 102 on another day type: its students out still count for it.
    facts = school(out_of(1, OTHER, PERIOD_3, frm=ROOM_102), places=ONE_OUT)
    assert verdict(admit(facts, asking(PERIOD_3))) == IN_LINE


def test_without_sections_the_room_counts_as_before() -> None:
    facts = school(out_of(1, OTHER, None), places=ONE_OUT)
    decision = admit(facts, asking(None))
    assert verdict(decision) == IN_LINE
    assert decision.detail == "1 student is already out of your room."
    # A homeroom request counts the room's passes without a section, not a class's.
    assert verdict(admit(school(out_of(1, OTHER, PERIOD_2), places=ONE_OUT), asking(None))) == (
        GOES_OUT
    )


def test_same_class() -> None:
    assert same_class(out_of(1, OTHER, 7, frm=ROOM_102), ROOM_101.id, 7)
    assert not same_class(out_of(1, OTHER, 8), ROOM_101.id, 7)
    assert same_class(out_of(1, OTHER, None), ROOM_101.id, None)
    assert not same_class(out_of(1, OTHER, None, frm=ROOM_102), ROOM_101.id, None)
    assert not same_class(out_of(1, OTHER, 7), ROOM_101.id, None)
