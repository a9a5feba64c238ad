"""A roster's period names matched to the school's bell schedule (pure).

SIS exports name periods their own way ("3", "P3", "period 3"); a section must name the
bell period it meets in exactly as the schedule does, or it never matches a moment of the day
(server/rules/timetable.py compares names). Here each file's name becomes the schedule's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def _key(name: str) -> str:
    # Case and spaces never tell two periods apart: "Period 3" is "period3".
    return "".join(name.split()).casefold()


class PeriodNames:
    """The period and day-type names of a school's bell schedule, found by a file's spelling."""

    def __init__(self, day_types: Mapping[str, Iterable[Mapping[str, str]]]) -> None:
        self.day_types = {_key(name): name for name in day_types}
        self.periods: dict[str, str] = {}
        for periods in day_types.values():
            for period in periods:
                self.periods.setdefault(_key(period["name"]), period["name"])

    @property
    def empty(self) -> bool:
        """Say whether the school has no bell schedule yet (names are then kept as given)."""
        return not self.periods

    def period(self, given: str) -> str | None:
        """Return the schedule's name of a period, or None when it has none of that name.

        The exact name (ignoring case and spaces) first; a bare number "3" is then also
        "Period 3" or "P3".
        """
        if self.empty:
            return given.strip()
        key = _key(given)
        if key in self.periods:
            return self.periods[key]
        if key.isdigit():
            number = str(int(key))
            for candidate in (f"period{number}", f"p{number}", number):
                if candidate in self.periods:
                    return self.periods[candidate]
        return None

    def day_type(self, given: str) -> str | None:
        """Return the schedule's name of a day type (ignoring case and spaces), or None."""
        if self.empty:
            return given.strip()
        return self.day_types.get(_key(given))

    def known(self) -> str:
        """Name the school's periods for a message."""
        return ", ".join(sorted(set(self.periods.values()))) or "none"
