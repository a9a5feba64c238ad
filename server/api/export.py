"""Write the HTTP contract to shared/openapi.json, which the PWA and outside clients read.

Run `python -m server.api.export` after changing an operation; tests/test_openapi.py fails when
the committed file is stale.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

from server.api.routes import OPERATIONS
from server.api.spec import build_openapi

EXPORT_PATH = Path(__file__).resolve().parents[2] / "shared" / "openapi.json"


def render() -> str:
    """Return the OpenAPI document as the committed, stable JSON text."""
    return (
        json.dumps(build_openapi(OPERATIONS, version("hallpass")), indent=2, sort_keys=True) + "\n"
    )


def main() -> None:
    """Write the export."""
    EXPORT_PATH.parent.mkdir(parents=True, exist_ok=True)
    EXPORT_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {EXPORT_PATH}")


if __name__ == "__main__":
    main()
