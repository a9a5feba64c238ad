"""Single sign-on as admins manage it: providers with a write-only secret, only admins, one
school's providers invisible to another, bad input named; the password switch for students;
the public list of buttons; the command line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from server.auth.oidc import unseal_secret
from server.enums import Role
from server.models import District, School, SignInAttempt, SsoProvider, User
from tests.conftest import CHEAP_PASSWORDS, Demo
from tests.test_error_shape import assert_error
from tests.test_roster_cli import cli  # noqa: F401 - the fixture: `hallpass ARGS` in process

ADMIN = "admin@demo.school"
PROVIDER: dict[str, Any] = {
    "key": "demo-google",
    "kind": "google",
    "label": "Google",
    "issuer": "https://accounts.google.com",
    "client_id": "1234.apps.googleusercontent.com",
    "client_secret": "GOCSPX-very-secret",
    "allowed_domains": ["Demo.School", "@students.demo.school"],
}


async def _create(demo: Demo, **fields: Any) -> dict[str, Any]:
    response = await demo.post(ADMIN, "/api/sso/providers", {**PROVIDER, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_the_client_secret_is_stored_sealed_and_never_sent_back(demo: Demo) -> None:
    created = await _create(demo)
    assert created["secret_set"] is True
    assert created["allowed_domains"] == ["demo.school", "students.demo.school"]
    assert created["scope"] == "school"
    settings = await demo.get(ADMIN, "/api/sso/settings")
    for response in (settings,):
        assert "GOCSPX" not in response.text
    assert "client_secret" not in created
    row = await SsoProvider.get(id=created["id"])
    assert row.client_secret_sealed is not None
    assert "GOCSPX" not in row.client_secret_sealed
    assert unseal_secret("test-secret", row.client_secret_sealed) == "GOCSPX-very-secret"
    body = settings.json()
    assert body["redirect_uri"] == "http://127.0.0.1:8000/api/sso/callback"
    assert body["password_sign_in_students"] is True
    assert [p["key"] for p in body["providers"]] == ["demo-google"]


async def test_an_empty_secret_clears_it_and_an_env_name_replaces_it(demo: Demo) -> None:
    created = await _create(demo)
    admin = await demo.auth(ADMIN)
    path = f"/api/sso/providers/{created['id']}"
    cleared = await demo.client.patch(path, json={"client_secret": ""}, headers=admin)
    assert cleared.json()["secret_set"] is False
    moved = await demo.client.patch(
        path, json={"client_secret_env": "GOOGLE_SECRET", "label": "School Google"}, headers=admin
    )
    assert (moved.json()["client_secret_env"], moved.json()["label"]) == (
        "GOOGLE_SECRET",
        "School Google",
    )
    assert (await demo.client.delete(path, headers=admin)).status_code == 204
    assert not await SsoProvider.exists(id=created["id"])


@pytest.mark.parametrize("login", ["teacher1@demo.school", "1003", "monitor@demo.school"])
async def test_only_admins_manage_single_sign_on(demo: Demo, login: str) -> None:
    created = await _create(demo)
    headers = await demo.auth(login)
    for method, path, body in (
        ("GET", "/api/sso/settings", None),
        ("GET", "/api/sso/attempts", None),
        ("POST", "/api/sso/providers", PROVIDER),
        ("PATCH", f"/api/sso/providers/{created['id']}", {"label": "Mine"}),
        ("DELETE", f"/api/sso/providers/{created['id']}", None),
    ):
        response = await demo.client.request(method, path, json=body, headers=headers)
        assert_error(response, 403)
    assert (await SsoProvider.get(id=created["id"])).label == "Google"


async def test_another_schools_provider_is_not_found(demo: Demo) -> None:
    other = await School.create(name="Other High", slug="other")
    theirs = await SsoProvider.create(
        school=other,
        key="other-google",
        label="Google",
        issuer="https://accounts.google.com",
        client_id="theirs",
    )
    admin = await demo.auth(ADMIN)
    path = f"/api/sso/providers/{theirs.id}"
    assert_error(await demo.client.patch(path, json={"label": "x"}, headers=admin), 404)
    assert_error(await demo.client.delete(path, headers=admin), 404)
    settings = (await demo.get(ADMIN, "/api/sso/settings")).json()
    assert settings["providers"] == []
    await SignInAttempt.create(school=other, outcome="sso_unknown_account", email="x@other")
    assert (await demo.get(ADMIN, "/api/sso/attempts")).json() == []
    assert (await SsoProvider.get(id=theirs.id)).label == "Google"


async def test_a_school_admin_sees_the_districts_provider_but_cannot_change_it(
    demo: Demo,
) -> None:
    district = await District.create(name="Demo District", slug="dd")
    await School.filter(slug="demo").update(district=district)
    shared = await SsoProvider.create(
        district=district,
        key="dd-ms",
        label="Microsoft",
        kind="microsoft",
        issuer="https://login.microsoftonline.com/tenant/v2.0",
        client_id="c",
    )
    settings = (await demo.get(ADMIN, "/api/sso/settings")).json()
    assert [(p["key"], p["scope"]) for p in settings["providers"]] == [("dd-ms", "district")]
    admin = await demo.auth(ADMIN)
    response = await demo.client.patch(
        f"/api/sso/providers/{shared.id}", json={"enabled": False}, headers=admin
    )
    assert_error(response, 403)
    assert_error(
        await demo.post(ADMIN, "/api/sso/providers", {**PROVIDER, "scope": "district"}), 403
    )
    assert (await SsoProvider.get(id=shared.id)).enabled is True


async def test_a_district_admin_sets_up_the_districts_sign_in_and_no_other_districts(
    demo: Demo,
) -> None:
    district = await District.create(name="Demo District", slug="dd")
    school = await School.get(slug="demo")
    school.district_id = district.id
    await school.save(update_fields=["district_id"])
    await User.create(
        school=school,
        role=Role.DISTRICT_ADMIN,
        login="chief@dd.example",
        first_name="Dee",
        last_name="Chief",
        password_hash=await CHEAP_PASSWORDS.hash("demo"),
    )
    created = await demo.post(
        "chief@dd.example", "/api/sso/providers", {**PROVIDER, "scope": "district"}
    )
    assert created.status_code == 201, created.text
    assert created.json()["scope"] == "district"
    assert (await SsoProvider.get(id=created.json()["id"])).district_id == district.id
    # Another district's provider is no id of theirs.
    other = await District.create(name="Other District", slug="od")
    theirs = await SsoProvider.create(
        district=other, key="od-g", label="Google", issuer="https://accounts.google.com",
        client_id="c",
    )  # fmt: skip
    chief = await demo.auth("chief@dd.example")
    response = await demo.client.patch(
        f"/api/sso/providers/{theirs.id}", json={"enabled": False}, headers=chief
    )
    assert_error(response, 404)
    assert (await SsoProvider.get(id=theirs.id)).enabled is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"key": "Has Spaces"}, "key"),
        ({"issuer": "http://accounts.example.org"}, "issuer"),
        ({"issuer": "accounts.google.com"}, "issuer"),
        ({"scopes": "email profile"}, "scopes"),
        ({"allowed_domains": ["not a domain"]}, "allowed_domains"),
        ({"match_claim": "name"}, "match_claim"),
        ({"client_secret_env": "NOT-A-NAME"}, "client_secret_env"),
        ({"client_secret": "x", "client_secret_env": "SECRET"}, "client_secret"),
        ({"kind": "facebook"}, "kind"),
    ],
)
async def test_bad_provider_settings_are_named_and_nothing_is_stored(
    demo: Demo, change: dict[str, Any], field: str
) -> None:
    response = await demo.post(ADMIN, "/api/sso/providers", {**PROVIDER, **change})
    assert_error(response, 422)
    assert field in [f["field"] for f in response.json()["error"]["details"]["fields"]]
    assert await SsoProvider.all().count() == 0


async def test_a_key_already_used_is_refused(demo: Demo) -> None:
    await _create(demo)
    response = await demo.post(ADMIN, "/api/sso/providers", {**PROVIDER, "client_id": "b"})
    assert_error(response, 422)
    assert await SsoProvider.all().count() == 1


async def test_the_sign_in_buttons_of_a_school(demo: Demo) -> None:
    await _create(demo)
    await _create(demo, key="demo-off", label="Off", enabled=False)
    listed = await demo.client.get("/api/sso/providers", params={"school": "demo"})
    assert listed.json() == {
        "providers": [
            {
                "key": "demo-google",
                "label": "Google",
                "kind": "google",
                "school": {"slug": "demo", "name": "Demo High School"},
                "district": None,
            }
        ],
        "password_sign_in": True,
    }
    assert "client" not in listed.text
    missing = await demo.client.get("/api/sso/providers", params={"school": "nowhere"})
    assert_error(missing, 404)
    assert missing.json()["error"]["code"] == "school_not_found"


async def test_students_may_be_kept_from_signing_in_with_a_password(demo: Demo) -> None:
    admin = await demo.auth(ADMIN)
    changed = await demo.client.patch(
        "/api/school", json={"password_sign_in_students": False}, headers=admin
    )
    assert changed.json()["password_sign_in_students"] is False
    student = await demo.client.post("/api/session", json={"login": "1003", "password": "demo"})
    assert_error(student, 403)
    assert student.json()["error"]["code"] == "password_sign_in_off"
    wrong = await demo.client.post("/api/session", json={"login": "1003", "password": "nope"})
    assert_error(wrong, 401)  # the switch says nothing to someone without the password
    teacher = await demo.client.post(
        "/api/session", json={"login": "teacher1@demo.school", "password": "demo"}
    )
    assert teacher.status_code == 200
    listed = await demo.client.get("/api/sso/providers", params={"school": "demo"})
    assert listed.json()["password_sign_in"] is False
    assert (await demo.get(ADMIN, "/api/sso/settings")).json()["password_sign_in_students"] is False
    back = await demo.client.patch(
        "/api/school", json={"password_sign_in_students": True}, headers=admin
    )
    assert back.json()["password_sign_in_students"] is True
    again = await demo.client.post("/api/session", json={"login": "1003", "password": "demo"})
    assert again.status_code == 200


def test_the_command_line_adds_and_lists_providers(
    cli: Callable[..., tuple[int, str, str]],  # noqa: F811 (the fixture imported above)
) -> None:
    status, out, err = cli(
        "sso",
        "add",
        "--school",
        "demo",
        "--kind",
        "google",
        "--issuer",
        "https://accounts.google.com",
        "--client-id",
        "1234.apps",
        "--client-secret-env",
        "GOOGLE_SECRET",
        "--domain",
        "demo.school",
    )
    assert status == 0, err
    assert out.startswith("demo-google\tgoogle\tdemo\thttps://accounts.google.com")
    status, out, _ = cli("sso", "list")
    assert status == 0
    assert "secret from $GOOGLE_SECRET\tdemo.school\tmatch email\tenabled" in out
    status, _, err = cli(
        "sso",
        "add",
        "--school",
        "nowhere",
        "--issuer",
        "https://x.example",
        "--client-id",
        "c",
        "--client-secret-env",
        "S",
    )
    assert status == 1
    assert "nowhere" in err
    status, _, err = cli(
        "sso",
        "add",
        "--school",
        "demo",
        "--issuer",
        "http://x.example",
        "--client-id",
        "c",
        "--client-secret-env",
        "S",
    )
    assert (status, "issuer" in err) == (1, True)


async def test_null_clears_the_secrets_variable_and_leaves_required_fields_as_they_are(
    demo: Demo,
) -> None:
    created = await _create(
        demo,
        client_secret=None,
        client_secret_env="DEMO_SECRET",
        match_claim="sourced_id",
        sourced_id_claim="sid",
    )
    admin = await demo.auth(ADMIN)
    response = await demo.client.patch(
        f"/api/sso/providers/{created['id']}",
        json={"client_secret_env": None, "sourced_id_claim": None, "label": None, "key": None},
        headers=admin,
    )
    assert response.status_code == 200, response.text
    row = await SsoProvider.get(id=created["id"])
    assert (row.client_secret_env, row.sourced_id_claim) == (None, None)
    assert (row.label, row.key) == ("Google", "demo-google")
