"""Write the `/ws` frame contract to shared/ws-frames.schema.json, which the PWA reads.

Run `python -m server.hub.export` after changing a frame in server/hub/messages.py;
tests/hub/test_messages.py fails when the committed file is stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from server.contract.frames import ClientFrame, ServerFrame

EXPORT_PATH = Path(__file__).resolve().parents[2] / "shared" / "ws-frames.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
REF_TEMPLATE = "#/$defs/{model}"


def build_schema() -> dict[str, Any]:
    """Return one JSON Schema document: every frame in `$defs`, grouped by who sends it."""
    # Client frames are described as the server accepts them, server frames as it sends them.
    client = TypeAdapter(ClientFrame).json_schema(mode="validation", ref_template=REF_TEMPLATE)
    server = TypeAdapter(ServerFrame).json_schema(mode="serialization", ref_template=REF_TEMPLATE)
    defs: dict[str, Any] = {}
    for part in (client, server):
        for name, schema in part.pop("$defs", {}).items():
            # Both sides share a name only if they share the schema; anything else is a bug.
            if defs.setdefault(name, schema) != schema:
                raise RuntimeError(f"two different schemas are both named {name!r}")
    defs["ClientFrame"] = {"title": "ClientFrame", "description": "A frame the client sends."}
    defs["ClientFrame"].update(client)
    defs["ServerFrame"] = {"title": "ServerFrame", "description": "A frame the server sends."}
    defs["ServerFrame"].update(server)
    return {
        "$schema": DIALECT,
        "title": "Hallpass /ws frames",
        "description": (
            "Every WebSocket frame of /ws (DESIGN.md section 4), one JSON object per text frame. "
            "Validate one side with {'$ref': '#/$defs/ClientFrame'} or '#/$defs/ServerFrame'."
        ),
        "$defs": defs,
        "oneOf": [{"$ref": "#/$defs/ClientFrame"}, {"$ref": "#/$defs/ServerFrame"}],
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
