"""Side by side with a saved run: this run's figure, the baseline's, and their ratio.

Shared by the benches' `--baseline PATH` (bench/ is not a package: the scripts import it by
its directory, which Python puts first on the path of a script it runs).
"""

from __future__ import annotations

import math


def ratio(this: float, base: float) -> float:
    """Return this / base (NaN when the baseline is zero or missing)."""
    if not base or math.isnan(base) or math.isnan(this):
        return math.nan
    return this / base


def side_by_side(this: float, base: float, width: int = 6, digits: int = 1) -> str:
    """Return "this / base = ratio x", the figures right-aligned in `width` characters."""
    return f"{this:{width}.{digits}f} / {base:{width}.{digits}f} = {ratio(this, base):4.2f}x"
