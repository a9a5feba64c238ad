"""The hub's one-statement question: which of the sockets it holds have lost their access?"""

from __future__ import annotations

from server.auth.sessions import token_hash
from server.enums import Role
from server.hub.access import revoked
from server.models import Session, User
from tests.conftest import Demo


async def session_of(demo: Demo, login: str) -> int:
    """Sign the user in and return their session's id."""
    token = await demo.token(login)
    return (await Session.get(token_hash=token_hash(token))).id


async def test_a_live_session_opened_in_the_users_current_role_keeps_its_access(
    demo: Demo,
) -> None:
    student = await session_of(demo, "1003")
    teacher = await session_of(demo, "teacher1@demo.school")
    assert await revoked({(student, Role.STUDENT), (teacher, Role.TEACHER)}) == set()


async def test_nothing_held_asks_nothing() -> None:
    assert await revoked(set()) == set()


async def test_logged_out_disabled_and_changed_roles_lose_access_and_only_they(
    demo: Demo,
) -> None:
    kept = await session_of(demo, "1004")
    logged_out = await session_of(demo, "1003")
    disabled = await session_of(demo, "1005")
    promoted = await session_of(demo, "teacher1@demo.school")
    await Session.filter(id=logged_out).delete()
    await User.filter(login="1005").update(active=False)
    await User.filter(login="teacher1@demo.school").update(role=Role.ADMIN)
    held = {
        (kept, Role.STUDENT),
        (logged_out, Role.STUDENT),
        (disabled, Role.STUDENT),
        (promoted, Role.TEACHER),  # opened as a teacher; an admin's screen needs a new socket
        (10**9, Role.SECURITY),  # no such session
    }
    assert await revoked(held) == held - {(kept, Role.STUDENT)}


async def test_thousands_of_sockets_are_one_question(demo: Demo) -> None:
    live = await session_of(demo, "1004")
    held = {(live, Role.STUDENT)} | {(10**9 + n, Role.STUDENT) for n in range(5000)}
    assert await revoked(held) == held - {(live, Role.STUDENT)}
