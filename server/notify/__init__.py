"""Notifications: who is told what (routing, pure), and delivery by push, email and webhooks.

This module is the one interface the layers above (server.services) use: they queue deliveries
in their own transaction (the outbox's three `enqueue_*`) and read or replace a school's
notification settings. Nothing here imports services or the hub: the app (server/api/app.py)
hands the delivery worker the hub's publisher and the after-commit hook it wakes on.
"""

from server.notify.outbox import enqueue_emergency, enqueue_event, enqueue_prevented
from server.notify.school_settings import KEY, Stored, Webhook, stored, webhook_allowed

__all__ = [
    "KEY",
    "Stored",
    "Webhook",
    "enqueue_emergency",
    "enqueue_event",
    "enqueue_prevented",
    "stored",
    "webhook_allowed",
]
