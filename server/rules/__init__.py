"""The pure policy engine: plain frozen facts in, a Decision with a reason code out.

Nothing here touches the database, the network or the clock; `now` arrives inside the facts.
"""

from server.rules.decision import Decision, Outcome
from server.rules.facts import (
    BellSchedule,
    Encounter,
    OpenPass,
    PassRequest,
    Period,
    Place,
    PolicyRow,
    Requester,
    SchoolFacts,
)
from server.rules.lifecycle import admit, decide_request

__all__ = [
    "BellSchedule",
    "Decision",
    "Encounter",
    "OpenPass",
    "Outcome",
    "PassRequest",
    "Period",
    "Place",
    "PolicyRow",
    "Requester",
    "SchoolFacts",
    "admit",
    "decide_request",
]
