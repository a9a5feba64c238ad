"""The typical walk: when a student is expected at the place they left for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.rules.walk import WALK_MINUTES, expected_arrival

LEFT = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)


def test_a_student_is_expected_one_walk_after_leaving() -> None:
    due = LEFT + timedelta(minutes=10)
    assert (
        expected_arrival(LEFT, due)
        == LEFT + timedelta(minutes=WALK_MINUTES)
        == due - timedelta(minutes=7)
    )


def test_a_pass_shorter_than_the_walk_expects_the_student_by_its_due_time() -> None:
    due = LEFT + timedelta(minutes=2)
    assert expected_arrival(LEFT, due) == due


def test_a_pass_with_no_due_time_expects_the_student_one_walk_after_leaving() -> None:
    assert expected_arrival(LEFT, None) == LEFT + timedelta(minutes=WALK_MINUTES)
