"""The typical walk: when a student is expected at the place they left for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.rules.walk import WALK_MINUTES, expected_arrival, walk_is_over

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


def test_the_walk_is_over_at_the_expected_time_and_not_a_second_before() -> None:
    due = LEFT + timedelta(minutes=10)
    arrival = LEFT + timedelta(minutes=3)
    assert not walk_is_over(LEFT, due, arrival - timedelta(seconds=1))
    assert walk_is_over(LEFT, due, arrival)
