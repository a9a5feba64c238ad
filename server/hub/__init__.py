"""The real-time hub: live sessions per school, fed by a broker (memory or Redis Streams)."""

from server.hub.broker import (
    Broker,
    BrokerError,
    BrokerEvent,
    BrokerNotice,
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
    "BrokerNotice",
    "BrokerUnavailable",
    "Subscriber",
    "SubscriberOverflow",
    "Subscription",
    "create_broker",
]
