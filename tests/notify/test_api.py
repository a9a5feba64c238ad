"""The notification endpoints: devices, mutes, school settings and the delivery log. Bad input
is refused with a code and changes nothing; nobody touches another user's device or another
school's settings. (Every role x every endpoint is in tests/test_authorization.py.)
"""

from __future__ import annotations

from typing import Any

import pytest

from server.errors import ErrorCode
from server.models import Delivery, NotificationMute, PushSubscription, School
from tests.conftest import Demo, user_id
from tests.notify.conftest import register
from tests.notify.push_service import PushService
from tests.test_authorization import create_other_school
from tests.test_error_shape import assert_error

TEACHER = "teacher1@demo.school"
SECURITY = "monitor@demo.school"
ADMIN = "admin@demo.school"


def field_of(response: Any) -> str:
    """Return the one field a 422 names."""
    [entry] = response.json()["error"]["details"]["fields"]
    return str(entry["field"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"endpoint": "/push/relative"}, "endpoint"),
        ({"endpoint": "ftp://fcm.googleapis.com/x"}, "endpoint"),
        # The server POSTs to it: only browsers' push services (and listed hosts) are allowed.
        ({"endpoint": "https://intranet.school.local/admin"}, "endpoint"),
        ({"endpoint": "http://fcm.googleapis.com/fcm/send/x"}, "endpoint"),  # not https
        ({"keys": {"p256dh": "bm90LWEta2V5", "auth": "tBHItJI5svbpez7KI4CCXg"}}, "keys.p256dh"),
        ({"keys": {"p256dh": "!!", "auth": "tBHItJI5svbpez7KI4CCXg"}}, "keys.p256dh"),
        ({"keys": {"auth": "tBHItJI5svbpez7KI4CCXg"}}, "keys.p256dh"),  # missing
        ({"keys": {"p256dh": None, "auth": "short"}}, "keys.p256dh"),
        ({"expirationTime": "soon"}, "expirationTime"),
        ({"extra": 1}, "extra"),
    ],
)
async def test_a_bad_subscription_is_refused_naming_the_field_and_changes_nothing(
    demo: Demo, push: PushService, change: dict[str, Any], field: str
) -> None:
    body = {**push.device().subscription(push.base_url), **change}
    response = await demo.post(TEACHER, "/api/push/subscriptions", body)
    assert_error(response, 422, ErrorCode.VALIDATION_ERROR)
    assert field_of(response) == field
    assert not await PushSubscription.exists()


async def test_a_bad_auth_secret_is_refused(demo: Demo, push: PushService) -> None:
    body = push.device().subscription(push.base_url)
    body["keys"]["auth"] = "c2hvcnQ"  # 5 bytes, not 16
    response = await demo.post(TEACHER, "/api/push/subscriptions", body)
    assert_error(response, 422, ErrorCode.VALIDATION_ERROR)
    assert field_of(response) == "keys.auth"


async def test_only_the_owner_removes_a_device(demo: Demo, push: PushService) -> None:
    device = await register(demo, TEACHER, push)
    endpoint = device.subscription(push.base_url)["endpoint"]
    other = await demo.client.request(
        "DELETE",
        "/api/push/subscriptions",
        json={"endpoint": endpoint},
        headers=await demo.auth(SECURITY),
    )
    assert_error(other, 404, ErrorCode.NOT_FOUND)
    assert await PushSubscription.filter(endpoint=endpoint).exists()
    own = await demo.client.request(
        "DELETE",
        "/api/push/subscriptions",
        json={"endpoint": endpoint},
        headers=await demo.auth(TEACHER),
    )
    assert own.status_code == 204
    assert not await PushSubscription.exists()


async def test_a_device_registered_again_belongs_to_whoever_registered_it_last(
    demo: Demo, push: PushService
) -> None:
    # A shared Chromebook: the next user's page reads the same subscription.
    device = push.device()
    body = device.subscription(push.base_url)
    for login in (TEACHER, "1003"):
        response = await demo.post(login, "/api/push/subscriptions", body)
        assert response.status_code == 201
        assert response.json()["endpoint"] == body["endpoint"]
    [sub] = await PushSubscription.all()
    assert sub.user_id == await user_id("1003")


async def test_mutes_list_the_role_categories_and_refuse_safety_ones(demo: Demo) -> None:
    mine = await demo.get(SECURITY, "/api/me/notifications")
    assert mine.json() == {
        "muted": [],
        "categories": [
            {"name": "overdue", "safety": True},
            {"name": "encounter", "safety": True},
            {"name": "flagged_student", "safety": True},
            {"name": "emergency", "safety": True},
        ],
    }
    student = await demo.get("1003", "/api/me/notifications")
    assert [c["name"] for c in student.json()["categories"]] == ["pass_update", "turn", "reminder"]
    teacher = await demo.get(TEACHER, "/api/me/notifications")
    assert teacher.json()["categories"] == [
        {"name": "room_request", "safety": False},
        {"name": "room_overdue", "safety": False},
        {"name": "reminder", "safety": False},
        {"name": "emergency", "safety": True},
    ]
    headers = await demo.auth(SECURITY)
    refused = await demo.client.put(
        "/api/me/notifications", json={"muted": ["emergency", "overdue"]}, headers=headers
    )
    assert_error(refused, 422, ErrorCode.NOT_MUTABLE)
    assert field_of(refused) == "muted[0]"
    unknown = await demo.client.put(
        "/api/me/notifications", json={"muted": ["gossip"]}, headers=headers
    )
    assert_error(unknown, 422, ErrorCode.VALIDATION_ERROR)
    assert not await NotificationMute.exists()


async def test_a_muted_category_is_not_delivered_and_unmuting_restores_it(
    demo: Demo, push: PushService
) -> None:
    await register(demo, TEACHER, push)
    headers = await demo.auth(TEACHER)
    muted = await demo.client.put(
        "/api/me/notifications", json={"muted": ["room_request"]}, headers=headers
    )
    assert muted.status_code == 200
    assert muted.json()["muted"] == ["room_request"]
    assert (await demo.request_pass("1003", "Nurse")).status_code == 201
    assert not await Delivery.filter(recipient__login=TEACHER).exists()
    unmuted = await demo.client.put("/api/me/notifications", json={"muted": []}, headers=headers)
    assert unmuted.json()["muted"] == []
    assert (await demo.request_pass("1004", "Nurse")).status_code == 201
    restored = await Delivery.filter(recipient__login=TEACHER).order_by("channel")
    assert [(d.channel, d.category) for d in restored] == [
        ("inapp", "room_request"),
        ("push", "room_request"),
    ]


WEBHOOK = {"url": "https://sms.example.org/hallpass", "secret": "s" * 24}


async def test_school_settings_round_trip_without_reading_back_the_secret(demo: Demo) -> None:
    headers = await demo.auth(ADMIN)
    student = await user_id("1005")
    body = {
        "email_categories": ["overdue", "nurse"],
        "flagged_student_ids": [student],
        "webhooks": [WEBHOOK],
    }
    put = await demo.client.put("/api/notifications/settings", json=body, headers=headers)
    assert put.status_code == 200, put.text
    expected = {
        "email_categories": ["overdue", "nurse"],
        "flagged_student_ids": [student],
        "webhooks": [{"url": WEBHOOK["url"]}],
    }
    assert put.json() == expected
    assert (await demo.get(ADMIN, "/api/notifications/settings")).json() == expected
    assert "s" * 24 not in (await demo.get(ADMIN, "/api/notifications/settings")).text


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"webhooks": [{"url": "not a url", "secret": "s" * 24}]},
         422, "validation_error", "webhooks[0].url"),
        ({"webhooks": [{"url": "https://x.org", "secret": "short"}]},
         422, "validation_error", "webhooks.0.secret"),
        ({"flagged_student_ids": [0]}, 422, "validation_error", "flagged_student_ids.0"),
        ({"email_categories": ["everything"]}, 422, "validation_error", "email_categories.0"),
        ({"webhooks": [WEBHOOK] * 6}, 422, "validation_error", "webhooks"),
    ],
)  # fmt: skip
async def test_bad_school_settings_change_nothing(
    demo: Demo, body: dict[str, Any], status: int, code: str, field: str
) -> None:
    before = (await School.get(slug="demo")).settings
    response = await demo.client.put(
        "/api/notifications/settings", json=body, headers=await demo.auth(ADMIN)
    )
    assert_error(response, status, ErrorCode(code))
    assert field_of(response).replace("[", ".").replace("]", "") == field.replace("[", ".").replace(
        "]", ""
    )
    assert (await School.get(slug="demo")).settings == before


async def test_another_schools_student_cannot_be_flagged_and_logs_stay_per_school(
    demo: Demo, push: PushService
) -> None:
    other = await create_other_school()
    flag = {"flagged_student_ids": [other.student_id]}
    response = await demo.client.put(
        "/api/notifications/settings", json=flag, headers=await demo.auth(ADMIN)
    )
    assert_error(response, 422, ErrorCode.VALIDATION_ERROR)
    assert field_of(response) == "flagged_student_ids[0]"
    await register(demo, "nurse@demo.school", push)
    assert (await demo.request_pass("1003", "Nurse")).status_code == 201
    ours = await demo.get(ADMIN, "/api/notifications/deliveries")
    # The nurse's push and toast; the teacher (no device) gets the toast only.
    assert sorted((d["channel"], d["category"]) for d in ours.json()) == [
        ("inapp", "nurse"),
        ("inapp", "room_request"),
        ("push", "nurse"),
    ]
    theirs = await demo.get("admin@second.school", "/api/notifications/deliveries")
    assert theirs.status_code == 200
    assert theirs.json() == []
