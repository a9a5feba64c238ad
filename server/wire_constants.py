"""The constants the app shares with the server, written to shared/constants.schema.json.

Each value is read from where the server defines it, so the PWA's copy (generated from the
schema by `npm run contract`) cannot drift. Run `python -m server.wire_constants` after changing
one; tests/test_wire_constants.py fails when the committed file is stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from server.contract.categories import SAFETY
from server.contract.sso import SSO_PROBLEMS
from server.contract.ws import HEARTBEAT_SECONDS, CloseCode
from server.enums import OPEN_STATES, STAFF_ROLES
from server.rules.walk import WALK_MINUTES

EXPORT_PATH = Path(__file__).resolve().parents[1] / "shared" / "constants.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def constants() -> dict[str, tuple[Any, str]]:
    """Return each shared constant's name, JSON value and description."""
    return {
        "HEARTBEAT_SECONDS": (
            HEARTBEAT_SECONDS,
            "How often a /ws client sends a ping while idle (server/hub/const.py).",
        ),
        "CLOSE_CODES": (
            {code.name: code.value for code in CloseCode},
            "The close codes of /ws by name; NOT_AUTHENTICATED and FORBIDDEN mean: sign in again.",
        ),
        "SAFETY_CATEGORIES": (
            sorted(SAFETY),
            "Notification categories nobody can mute; they stay on screen until acted on.",
        ),
        "OPEN_STATES": (
            sorted(OPEN_STATES),
            "Pass states that hold the student's one open pass (DESIGN.md invariant 1).",
        ),
        "STAFF_ROLES": (sorted(STAFF_ROLES), "Roles that work with passes as staff."),
        "WALK_MINUTES": (
            WALK_MINUTES,
            "The typical walk to a place: a student is expected there this long after leaving, "
            "never after the pass is due (server/rules/walk.py).",
        ),
        "SSO_PROBLEMS": (
            {str(code): dict(text) for code, text in SSO_PROBLEMS.items()},
            "What the /sign-in page says for each single sign-on problem code: a title, what "
            "happened, and whom to ask.",
        ),
    }


def build_schema() -> dict[str, Any]:
    """Return a JSON Schema whose one valid instance is the constants, each as a `const`."""
    shared = constants()
    return {
        "$schema": DIALECT,
        "title": "Hallpass shared constants",
        "description": (
            "Values the app and the server must agree on, each a `const` of its property. "
            "Lists are sets: no order, no repeats."
        ),
        "type": "object",
        "properties": {
            name: {"const": value, "description": description}
            for name, (value, description) in shared.items()
        },
        "required": list(shared),
        "additionalProperties": False,
    }


def render() -> str:
    """Return the schema as the committed, stable JSON text."""
    return json.dumps(build_schema(), indent=2, sort_keys=True) + "\n"


def main() -> None:
    """Write the export."""
    EXPORT_PATH.parent.mkdir(parents=True, exist_ok=True)
    EXPORT_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {EXPORT_PATH}")


if __name__ == "__main__":
    main()
