"""Write the push payload's contract to shared/push-payload.schema.json, which the PWA reads.

Run `python -m server.notify.export` after changing server/notify/payload.py;
tests/notify/test_exports.py fails when the committed file is stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from server.notify.payload import PushPayload, SmallPushPayload

EXPORT_PATH = Path(__file__).resolve().parents[2] / "shared" / "push-payload.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
REF_TEMPLATE = "#/$defs/{model}"


def build_schema() -> dict[str, Any]:
    """Return one JSON Schema document: a push's data is one of the two payloads."""
    schema = TypeAdapter(PushPayload | SmallPushPayload).json_schema(
        mode="serialization", ref_template=REF_TEMPLATE
    )
    return {
        "$schema": DIALECT,
        "title": "Hallpass push payload",
        "description": (
            "The JSON data of a Web Push message (docs/adr/0006-notifications.md): the full "
            "payload, or the small one sent after the push service refused the full one (413)."
        ),
        **schema,
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
