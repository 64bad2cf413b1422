"""Drain the outbox: send each pending alert on its channel, record the outcome.

A transient failure (timeout, 5xx, SMTP 4xx) leaves the alert pending with its error and attempt
count, so the next run retries it; after ``max_attempts`` it is marked failed. A permanent failure
(SMTP 550 recipient refused, webhook 410, bad credentials) is marked failed at once: retrying would
only repeat it. ``claimwatch alerts retry`` queues a failed alert again.
A delivered alert is never sent again: its row is leased while sending, then marked delivered.
The lease is short and renewed while its holder lives (``_LeaseKeeper``): a slow channel never lets
a second deliverer take the same alerts, and a deliverer that dies frees them within one lease.
A delivery has a budget (``alerts/budget.py``); what it leaves stays pending, its lease released.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from types import TracebackType

from alerts.budget import DEFAULT_BUDGET, DeliveryBudget, Spending
from alerts.channel import Channel, build_channel
from monitors.config import ChannelSpec, DeliveryModel
from monitors.errors import DeliveryError, TransientDeliveryError
from monitors.state.store import OutboxItem, Store, utcnow

DEFAULT_MAX_ATTEMPTS = 20
DEFAULT_LEASE = timedelta(seconds=60)  # renewed every third of it while the deliverer lives
log = logging.getLogger(__name__)


@dataclass
class DeliveryResult:
    sent: int = 0  # alerts delivered, per channel (a digest counts each alert in it)
    digests: int = 0  # digest messages sent
    errors: list[str] = field(default_factory=list)
    pending: int = 0
    deferred: dict[str, int] = field(default_factory=dict)  # channel -> alerts the budget kept
    messages: dict[str, int] = field(default_factory=dict)  # channel -> messages it was sent
    in_digests: dict[str, int] = field(default_factory=dict)  # channel -> alerts those carried

    def sent_message(self, channel: str, alerts: int = 1, digest: bool = False) -> None:
        self.sent += alerts
        self.messages[channel] = self.messages.get(channel, 0) + 1
        if digest:
            self.digests += 1
            self.in_digests[channel] = self.in_digests.get(channel, 0) + alerts

    def messages_line(self) -> str | None:
        """``messages sent: email 9, digest 1 (9 alerts)``; None when nothing was sent."""
        if not self.messages:
            return None
        parts = []
        for channel, count in self.messages.items():
            carried = self.in_digests.get(channel)
            parts.append(f"{channel} {count}" + (f" ({carried} alerts)" if carried else ""))
        return "messages sent: " + ", ".join(parts)


def build_channels(specs: Sequence[ChannelSpec]) -> dict[str, Channel]:
    return {spec.name: build_channel(spec.name, spec.type, spec.settings) for spec in specs}


def deliver_configured(
    store: Store, specs: Sequence[ChannelSpec], delivery: DeliveryModel | None = None
) -> DeliveryResult:
    """Deliver the outbox to the configured channels, honouring each channel's digest mode and
    the budget of ``delivery:`` in channels.yaml (the defaults without one)."""
    budget = DEFAULT_BUDGET if delivery is None else DeliveryBudget.configured(delivery)
    return deliver_pending(
        store, build_channels(specs), digests=digest_periods(specs), budget=budget
    )


def digest_periods(specs: Sequence[ChannelSpec]) -> dict[str, float]:
    """Channels in digest mode and their period in seconds (0: one digest per run)."""
    return {spec.name: spec.digest_s for spec in specs if spec.digest_s is not None}


def deliver_pending(
    store: Store,
    channels: Mapping[str, Channel],
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    lease: timedelta = DEFAULT_LEASE,
    digests: Mapping[str, float] | None = None,
    budget: DeliveryBudget = DEFAULT_BUDGET,
) -> DeliveryResult:
    """Send every pending alert; digest channels get one message for all of theirs. What the
    budget leaves unsent stays pending, its lease released for the next deliverer."""
    digests = digests or {}
    result = DeliveryResult()
    spending = Spending(budget)
    left: list[OutboxItem] = []
    single = [name for name in channels if name not in digests]
    with _LeaseKeeper(store, lease) as keeper:
        for item in keeper.hold(store.claim_pending(single, lease)):
            if _deferred(spending, [item], result):
                left.append(item)
            else:
                started = time.monotonic()
                error = _send_one(store, channels[item.channel], item, max_attempts, result)
                spending.record(item.channel, time.monotonic() - started, error)
            keeper.release([item])
        for name, period in digests.items():
            if name in channels and _digest_due(store, name, period):
                items = keeper.hold(store.claim_pending([name], lease))
                if items and _deferred(spending, items, result):
                    left += items
                elif items:
                    started = time.monotonic()
                    error = _send_digest(store, channels[name], items, max_attempts, result)
                    spending.record(name, time.monotonic() - started, error)
                keeper.release(items)
    store.release_leases([item.id for item in left])
    for channel, seconds in spending.waits.items():
        # "429, Retry-After: 120": no deliverer, in this run or the next, sends to it before.
        store.hold_channel(channel, utcnow() + timedelta(seconds=seconds))
    result.pending = len(store.outbox(status="pending"))
    return result


def _deferred(spending: Spending, items: Sequence[OutboxItem], result: DeliveryResult) -> bool:
    """True (and said in the result) when the budget keeps these alerts for the next delivery."""
    channel = items[0].channel
    reason = spending.refusal(channel)
    if reason is None:
        return False
    if channel not in result.deferred:
        result.errors.append(f"{channel}: alerts left pending for the next delivery: {reason}")
    result.deferred[channel] = result.deferred.get(channel, 0) + len(items)
    return True


class _LeaseKeeper:
    """Renews the leases of the alerts this deliverer holds, every third of the lease, from a
    thread, until each is sent or failed. While the process lives no other deliverer can take
    them, however slow a channel; once it dies the renewals stop and the alerts are free again
    within one lease."""

    def __init__(self, store: Store, lease: timedelta) -> None:
        self._store = store
        self._lease = lease
        self._held: set[int] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, name="claimwatch-lease", daemon=True)

    def __enter__(self) -> _LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def hold(self, items: Sequence[OutboxItem]) -> Sequence[OutboxItem]:
        with self._lock:
            self._held.update(item.id for item in items)
        return items

    def release(self, items: Iterable[OutboxItem]) -> None:
        with self._lock:
            self._held.difference_update(item.id for item in items)

    def _renew(self) -> None:
        while not self._stop.wait(self._lease.total_seconds() / 3):
            with self._lock:
                ids = sorted(self._held)
            try:
                self._store.renew_leases(ids, self._lease)
            except Exception as exc:  # the next renewal may succeed; sending goes on meanwhile
                log.warning("could not renew the leases of %d alerts: %s", len(ids), exc)


def _send_one(
    store: Store, channel: Channel, item: OutboxItem, max_attempts: int, result: DeliveryResult
) -> DeliveryError | None:
    try:
        channel.send(item.alert)
    except DeliveryError as exc:
        store.mark_failed(item, str(exc), give_up=_gives_up(exc, item, max_attempts))
        result.errors.append(str(exc))
        return exc
    store.mark_delivered(item)
    result.sent_message(item.channel)
    return None


def _send_digest(
    store: Store,
    channel: Channel,
    items: Sequence[OutboxItem],
    max_attempts: int,
    result: DeliveryResult,
) -> DeliveryError | None:
    """The digest's outcome (a channel without a digest format: the last alert's)."""
    send_digest = getattr(channel, "send_digest", None)
    if send_digest is None:  # a channel without a digest format gets the alerts one by one
        errors = [_send_one(store, channel, item, max_attempts, result) for item in items]
        return next((e for e in reversed(errors) if e is not None), None)
    try:
        send_digest([item.alert for item in items])
    except DeliveryError as exc:
        for item in items:
            store.mark_failed(item, str(exc), give_up=_gives_up(exc, item, max_attempts))
        result.errors.append(str(exc))
        return exc
    for item in items:
        store.mark_delivered(item)
    result.sent_message(items[0].channel, len(items), digest=True)
    return None


def _digest_due(store: Store, channel: str, period_s: float) -> bool:
    if period_s <= 0:
        return True
    last = store.last_delivery(channel)
    return last is None or utcnow() - last >= timedelta(seconds=period_s)


def _gives_up(exc: DeliveryError, item: OutboxItem, max_attempts: int) -> bool:
    """Permanent failures end at once; transient ones once the attempts are used up."""
    return not isinstance(exc, TransientDeliveryError) or item.attempts + 1 >= max_attempts
