"""The hub's one-statement question: which of the sockets it holds have lost or changed access?"""

from __future__ import annotations

from server.auth.sessions import token_hash
from server.enums import CLASSROOM_STAFF, Role
from server.hub.access import Access, Scope, changed, ids_key
from server.models import Enrollment, Location, Section, Session, User
from tests.conftest import Demo, location_id
from tests.roster.helpers import import_demo
from tests.roster.rosters import small_school


async def session_of(demo: Demo, login: str) -> int:
    """Sign the user in and return their session's id."""
    token = await demo.token(login)
    return (await Session.get(token_hash=token_hash(token))).id


async def held_by(
    demo: Demo, login: str, role: Role, *places: str, teaching: tuple[int, ...] = ()
) -> Access:
    """Return the access a socket of the user opens with, assigned the named places and (for
    classroom staff) teaching the sections given by id."""
    ids = [await location_id(name) for name in places]
    rooms = None if role is Role.STUDENT else ids_key(ids)
    sections = ids_key(teaching) if role in CLASSROOM_STAFF else None
    return await session_of(demo, login), role, rooms, sections


def scope(*places: Location, teaching: frozenset[int] = frozenset()) -> Scope:
    """Return the scope of a user assigned these places and teaching these sections."""
    return Scope(frozenset(place.id for place in places), teaching)


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
        (10**9, Role.SECURITY, "[]", None),  # no such session
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
        emptied: scope(),
        widened: scope(room_101, room_102),
        swapped: scope(room_102),
    }
    assert nurse.id not in {room_101.id, room_102.id}


async def test_thousands_of_sockets_are_one_question(demo: Demo) -> None:
    live = await held_by(demo, "1004", Role.STUDENT)
    teacher = await held_by(demo, "teacher1@demo.school", Role.TEACHER, "Room 101")
    gone = {(10**9 + n, Role.STUDENT, None, None) for n in range(5000)}
    assert await changed({live, teacher} | gone) == dict.fromkeys(gone)


async def test_a_teacher_enrolled_or_ended_by_a_roster_import_is_told_the_sections_they_teach(
    demo: Demo,
) -> None:
    room_101 = await Location.get(name="Room 101")
    before = await held_by(demo, "teacher1@demo.school", Role.TEACHER, "Room 101")
    roster = small_school()
    await import_demo(roster.build())  # teacher1 teaches Algebra (c-alg) from now on
    algebra = (await Section.get(source_id="c-alg")).id
    assert await changed({before}) == {before: scope(room_101, teaching=frozenset({algebra}))}
    teaching = await held_by(
        demo, "teacher1@demo.school", Role.TEACHER, "Room 101", teaching=(algebra,)
    )
    assert await changed({teaching}) == {}
    del roster.roster.enrollments["e-1"]  # gone from the SIS: the sync ends it
    await import_demo(roster.build())
    assert await changed({teaching}) == {teaching: scope(room_101)}


async def test_only_active_teacher_enrollments_are_taught_sections(demo: Demo) -> None:
    school_id = (await User.get(login="teacher1@demo.school")).school_id
    room_101, room_102 = [await Location.get(name=name) for name in ("Room 101", "Room 102")]
    teacher1, teacher2, sub, student = [
        await User.get(login=login)
        for login in (
            "teacher1@demo.school",
            "teacher2@demo.school",
            "counselor@demo.school",
            "1004",
        )
    ]
    # Substitutes are classroom staff too (the demo has none: the counselor stands in).
    await User.filter(id=sub.id).update(role=Role.SUBSTITUTE)
    english, art, music = [
        await Section.create(school_id=school_id, title=title, location=room)
        for title, room in (("English", room_101), ("Art", room_102), ("Music", room_101))
    ]
    for section, user, role in (
        (english, teacher1, "teacher"),
        (art, teacher1, "teacher"),
        (music, teacher1, "student"),  # enrolled, but not teaching it
        (art, teacher2, "teacher"),
        (music, sub, "teacher"),
        (english, student, "student"),
    ):
        await Enrollment.create(school_id=school_id, section=section, user=user, role=role)
    taught = {english.id, art.id}
    kept = await held_by(
        demo, "teacher1@demo.school", Role.TEACHER, "Room 101", teaching=tuple(taught)
    )
    dropped = await held_by(
        demo, "teacher2@demo.school", Role.TEACHER, "Room 102", teaching=(art.id,)
    )
    covering = await held_by(demo, "counselor@demo.school", Role.SUBSTITUTE, "Counselor")
    student_socket = await held_by(demo, "1004", Role.STUDENT)
    nurse = await held_by(demo, "nurse@demo.school", Role.NURSE, "Nurse")
    assert await changed({kept, dropped, student_socket, nurse}) == {}
    # As the sync ends an enrollment: the row stays, inactive.
    await Enrollment.filter(section=art, user=teacher2).update(active=False)
    assert await changed({kept, dropped, covering, student_socket, nurse}) == {
        dropped: scope(room_102),
        covering: scope(
            await Location.get(name="Counselor"), teaching=frozenset({music.id})
        ),  # opened before the Music enrollment was made
    }
    # Swapped one for another (as many sections as before, not the same ones).
    await Enrollment.filter(section=english, user=teacher1).update(active=False)
    await Enrollment.filter(section=music, user=teacher1).update(role="teacher")
    assert await changed({kept}) == {kept: scope(room_101, teaching=frozenset({art.id, music.id}))}
