"""The push payload's contract in shared/, as the service worker's types are generated from it."""

from __future__ import annotations

import json
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs in the test extra
import pytest

from server.contract.categories import Category
from server.notify.export import EXPORT_PATH, build_schema, render
from server.notify.payload import notice_payload, smaller
from server.notify.routing import Notice

SCHEMA = build_schema()


def _validator(name: str) -> Any:
    return jsonschema.Draft202012Validator({"$defs": SCHEMA["$defs"], "$ref": f"#/$defs/{name}"})


def test_the_exported_push_payload_in_shared_is_up_to_date() -> None:
    assert EXPORT_PATH.read_text(encoding="utf-8") == render(), (
        "shared/push-payload.schema.json is stale: run `python -m server.notify.export`"
    )


def test_the_schema_is_draft_2020_12_and_names_every_category() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$defs"]["Category"]["enum"] == [str(c) for c in Category]


@pytest.mark.parametrize("pass_id", [7, None])
def test_a_payload_and_its_smaller_form_each_match_their_own_definition(
    pass_id: int | None,
) -> None:
    notice = Notice(1, Category.OVERDUE, "Overdue", "Ana is 5 minutes past due.", pass_id)
    full = json.loads(json.dumps(notice_payload(notice)))
    small = smaller(full)
    whole = jsonschema.Draft202012Validator(SCHEMA)
    whole.validate(full)
    whole.validate(small)
    _validator("PushPayload").validate(full)
    _validator("SmallPushPayload").validate(small)
    # Neither passes for the other: the service worker can tell them apart by `category`.
    assert not _validator("SmallPushPayload").is_valid(full)
    assert not _validator("PushPayload").is_valid(small)
