"""The real-time hub: live sessions per school, fed by a broker (memory or Redis Streams)."""

from server.hub.broker import (
    Broker,
    BrokerError,
    BrokerEvent,
    BrokerUnavailable,
    Subscriber,
    SubscriberOverflow,
    Subscription,
    create_broker,
)

__all__ = [
    "Broker",
    "BrokerError",
    "BrokerEvent",
    "BrokerUnavailable",
    "Subscriber",
    "SubscriberOverflow",
    "Subscription",
    "create_broker",
]
