"""The outbox's keys: one delivery per event, channel and target, for the life of the log."""

from __future__ import annotations

from server.models import Delivery, PassEvent, School
from server.models.school import new_epoch
from tests.conftest import Demo


async def test_a_restarted_event_log_queues_new_deliveries_beside_the_old(demo: Demo) -> None:
    # A restarted log (a new epoch) numbers its events from 1 again, while last month's
    # deliveries are still kept: the new ones must not collide with them.
    first = await demo.request_pass("1003", "Nurse")
    assert first.status_code == 201, first.text
    school = await School.get(slug="demo")
    before = await Delivery.filter(school_id=school.id).count()
    assert before > 0  # the origin teacher and the nurse were told
    await PassEvent.filter(school_id=school.id).delete()
    await School.filter(id=school.id).update(event_seq=0, epoch=new_epoch())

    again = await demo.request_pass("1004", "Nurse")

    assert again.status_code == 201, again.text
    assert await Delivery.filter(school_id=school.id).count() > before
