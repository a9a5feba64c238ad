"""The hub's one-statement question: which of the sockets it holds have lost or changed access?"""

from __future__ import annotations

from server.auth.sessions import token_hash
from server.enums import Role
from server.hub.access import Access, changed, rooms_key
from server.models import Location, Session, User
from tests.conftest import Demo, location_id


async def session_of(demo: Demo, login: str) -> int:
    """Sign the user in and return their session's id."""
    token = await demo.token(login)
    return (await Session.get(token_hash=token_hash(token))).id


async def held_by(demo: Demo, login: str, role: Role, *places: str) -> Access:
    """Return the access a socket of the user opens with, assigned the named places."""
    ids = [await location_id(name) for name in places]
    rooms = None if role is Role.STUDENT else rooms_key(ids)
    return await session_of(demo, login), role, rooms


async def test_a_live_session_opened_in_the_users_current_role_and_places_is_unchanged(
    demo: Demo,
) -> None:
    student = await held_by(demo, "1003", Role.STUDENT)
    teacher = await held_by(demo, "teacher1@demo.school", Role.TEACHER, "Room 101")
    nurse = await held_by(demo, "nurse@demo.school", Role.NURSE, "Nurse")
    monitor = await held_by(demo, "monitor@demo.school", Role.SECURITY)
    assert await changed({student, teacher, nurse, monitor}) == {}


async def test_nothing_held_asks_nothing() -> None:
    assert await changed(set()) == {}


async def test_logged_out_disabled_and_changed_roles_lose_access_and_only_they(
    demo: Demo,
) -> None:
    kept = await held_by(demo, "1004", Role.STUDENT)
    logged_out = await held_by(demo, "1003", Role.STUDENT)
    disabled = await held_by(demo, "1005", Role.STUDENT)
    promoted = await held_by(demo, "teacher1@demo.school", Role.TEACHER, "Room 101")
    await Session.filter(id=logged_out[0]).delete()
    await User.filter(login="1005").update(active=False)
    await User.filter(login="teacher1@demo.school").update(role=Role.ADMIN)
    held = {
        kept,
        logged_out,
        disabled,
        promoted,  # opened as a teacher; an admin's screen needs a new socket
        (10**9, Role.SECURITY, "[]"),  # no such session
    }
    assert await changed(held) == dict.fromkeys(held - {kept})


async def test_a_user_whose_places_changed_is_told_the_places_they_have_now(
    demo: Demo,
) -> None:
    room_101, room_102, nurse = [
        await Location.get(name=name) for name in ("Room 101", "Room 102", "Nurse")
    ]
    emptied = await held_by(demo, "teacher1@demo.school", Role.TEACHER, "Room 101")
    widened = await held_by(demo, "teacher2@demo.school", Role.TEACHER, "Room 102")
    swapped = await held_by(demo, "nurse@demo.school", Role.NURSE, "Nurse")
    kiosk = await held_by(demo, "kiosk101@demo.school", Role.KIOSK, "Room 101")
    student = await held_by(demo, "1003", Role.STUDENT)
    teacher1, teacher2, nurse_user = [
        await User.get(login=login)
        for login in ("teacher1@demo.school", "teacher2@demo.school", "nurse@demo.school")
    ]
    await teacher1.assigned_locations.clear()
    await teacher2.assigned_locations.add(room_101)
    await nurse_user.assigned_locations.clear()
    await nurse_user.assigned_locations.add(room_102)
    assert await changed({emptied, widened, swapped, kiosk, student}) == {
        emptied: frozenset(),
        widened: frozenset({room_101.id, room_102.id}),
        swapped: frozenset({room_102.id}),
    }
    assert nurse.id not in {room_101.id, room_102.id}


async def test_thousands_of_sockets_are_one_question(demo: Demo) -> None:
    live = await held_by(demo, "1004", Role.STUDENT)
    teacher = await held_by(demo, "teacher1@demo.school", Role.TEACHER, "Room 101")
    gone = {(10**9 + n, Role.STUDENT, None) for n in range(5000)}
    assert await changed({live, teacher} | gone) == dict.fromkeys(gone)
