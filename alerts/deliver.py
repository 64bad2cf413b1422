"""Drain the outbox: send each pending alert on its channel, record the outcome.

A failed send leaves the alert pending with its error and attempt count, so the next run retries it;
after ``max_attempts`` it is marked failed (``claimwatch alerts retry`` queues it again).
A delivered alert is never sent again: its row is leased while sending, then marked delivered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from alerts.channel import Channel, build_channel
from monitors.config import ChannelSpec
from monitors.errors import DeliveryError
from monitors.store import Store

DEFAULT_MAX_ATTEMPTS = 20
DEFAULT_LEASE = timedelta(minutes=5)


@dataclass
class DeliveryResult:
    sent: int = 0
    errors: list[str] = field(default_factory=list)
    pending: int = 0


def build_channels(specs: Sequence[ChannelSpec]) -> dict[str, Channel]:
    return {spec.name: build_channel(spec.name, spec.type, spec.settings) for spec in specs}


def deliver_pending(
    store: Store,
    channels: Mapping[str, Channel],
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    lease: timedelta = DEFAULT_LEASE,
) -> DeliveryResult:
    result = DeliveryResult()
    for item in store.claim_pending(list(channels), lease):
        try:
            channels[item.channel].send(item.alert)
        except DeliveryError as exc:
            give_up = item.attempts + 1 >= max_attempts
            store.mark_failed(item, str(exc), give_up=give_up)
            result.errors.append(str(exc))
            continue
        store.mark_delivered(item)
        result.sent += 1
    result.pending = len(store.outbox(status="pending"))
    return result
