"""ordinal: a place in line as people say it."""

from __future__ import annotations

import pytest

from server.rules.capacity import ordinal


@pytest.mark.parametrize(
    ("n", "said"),
    [
        (1, "1st"),  # next in line
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),  # and every other last digit
        (9, "9th"),
        (10, "10th"),
        (11, "11th"),  # the teens are all "th", whatever the last digit says
        (12, "12th"),
        (13, "13th"),
        (14, "14th"),
        (20, "20th"),
        (21, "21st"),  # past the teens, the last digit decides again
        (22, "22nd"),
        (23, "23rd"),
        (24, "24th"),
        (100, "100th"),
        (101, "101st"),  # it is the last two digits that matter, not the number
        (102, "102nd"),
        (103, "103rd"),
        (111, "111th"),  # ...so 111-113 are teens again
        (112, "112th"),
        (113, "113th"),
        (121, "121st"),
        (1001, "1001st"),
        (1011, "1011th"),
    ],
)
def test_ordinal(n: int, said: str) -> None:
    assert ordinal(n) == said
