"""How long one delivery may take, per channel and in all, so a slow channel never holds a run.

A channel that answers slowly (an SMTP server taking 30 s a message) or not at all (a webhook
that times out) would otherwise make a run wait for every alert in turn. The budget stops
sending on a channel once it has used its time, or after it timed out ``timeouts_per_channel``
times, and stops the whole delivery once the run's time is used. What is not sent stays pending,
free for the next run or the scheduled deliver flow; other channels go on.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from monitors.config import DeliveryModel
from monitors.errors import DeliveryError, DeliveryTimeoutError, TransientDeliveryError

DEFAULT_CHANNEL_SECONDS = 120.0
DEFAULT_RUN_SECONDS = 300.0
DEFAULT_TIMEOUTS_PER_CHANNEL = 2


@dataclass(frozen=True)
class DeliveryBudget:
    per_channel_seconds: float = DEFAULT_CHANNEL_SECONDS
    per_run_seconds: float = DEFAULT_RUN_SECONDS
    timeouts_per_channel: int = DEFAULT_TIMEOUTS_PER_CHANNEL

    @classmethod
    def configured(cls, delivery: DeliveryModel) -> DeliveryBudget:
        """The budget ``delivery:`` in channels.yaml sets."""
        return cls(delivery.per_channel, delivery.per_run, delivery.timeouts_per_channel)


DEFAULT_BUDGET = DeliveryBudget()


@dataclass
class Spending:
    """One delivery's use of its budget (monotonic clock)."""

    budget: DeliveryBudget = DEFAULT_BUDGET
    started: float = field(default_factory=time.monotonic)
    seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    timeouts: Counter[str] = field(default_factory=Counter)
    waits: dict[str, float] = field(default_factory=dict)  # channel -> seconds it asked to wait

    def refusal(self, channel: str) -> str | None:
        """Why nothing more goes to ``channel`` in this delivery; None while it may send."""
        if time.monotonic() - self.started >= self.budget.per_run_seconds:
            return f"the delivery's budget of {self.budget.per_run_seconds:g}s is used"
        if channel in self.waits:
            return f"it asked to wait {self.waits[channel]:g}s (Retry-After)"
        if self.timeouts[channel] >= self.budget.timeouts_per_channel:
            return f"it timed out {self.timeouts[channel]} times in this delivery"
        if self.seconds[channel] >= self.budget.per_channel_seconds:
            return f"its budget of {self.budget.per_channel_seconds:g}s is used"
        return None

    def record(self, channel: str, seconds: float, error: DeliveryError | None) -> None:
        self.seconds[channel] += seconds
        if isinstance(error, DeliveryTimeoutError):
            self.timeouts[channel] += 1
        if isinstance(error, TransientDeliveryError) and error.retry_after is not None:
            self.waits[channel] = max(self.waits.get(channel, 0.0), error.retry_after)
