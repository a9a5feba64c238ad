"""Notifications: who is told what (routing, pure), and delivery by push, email and webhooks."""
