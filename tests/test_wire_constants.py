"""The constants the app shares with the server, in shared/ for the PWA's generated copy."""

from __future__ import annotations

import jsonschema  # type: ignore[import-untyped]  # no stubs in the test extra

from server.contract.ws import HEARTBEAT_SECONDS
from server.wire_constants import EXPORT_PATH, build_schema, constants, render


def test_the_exported_constants_in_shared_are_up_to_date() -> None:
    assert EXPORT_PATH.read_text(encoding="utf-8") == render(), (
        "shared/constants.schema.json is stale: run `python -m server.wire_constants`"
    )


def test_the_server_values_are_the_one_instance_the_schema_accepts() -> None:
    schema = build_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    values = {name: value for name, (value, _) in constants().items()}
    validator.validate(values)
    assert values["HEARTBEAT_SECONDS"] == HEARTBEAT_SECONDS
    assert not validator.is_valid({**values, "HEARTBEAT_SECONDS": HEARTBEAT_SECONDS + 1})
    assert not validator.is_valid({**values, "EXTRA": 1})
