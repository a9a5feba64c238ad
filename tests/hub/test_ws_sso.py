"""A session made by single sign-on is like any other: disabling its user closes its socket."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from websockets.exceptions import ConnectionClosed

from server.auth.sessions import COOKIE_NAME
from tests.conftest import Demo, user_id
from tests.hub.test_ws import hello, live, recv  # noqa: F401 (live is a fixture)
from tests.oidc.fixtures import OidcProvider
from tests.sso_helpers import ADMIN, add_provider, browser, sign_in

TEACHER = "teacher1@demo.school"


async def test_disabling_a_user_closes_the_socket_of_their_sso_session(
    live: str,  # noqa: F811 (the fixture imported above)
    app: Starlette,
    demo: Demo,
    oidc_provider: OidcProvider,
) -> None:
    oidc_provider.add_account("g-teacher", TEACHER)
    await add_provider(demo, oidc_provider)
    async with browser(app) as http:
        done = await sign_in(http, TEACHER)
        token = done.cookies[COOKIE_NAME]
    ws, first = await hello(live, token)
    assert first["type"] == "snapshot"
    response = await demo.client.patch(
        f"/api/users/{await user_id(TEACHER)}",
        json={"active": False},
        headers=await demo.auth(ADMIN),
    )
    assert response.status_code == 200
    with pytest.raises(ConnectionClosed):
        await recv(ws, 2.0)
    assert ws.close_code == 4403
