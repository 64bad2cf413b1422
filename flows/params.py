"""The flows' parameters as pydantic models: what a deployment or a manual run may set.

Prefect already coerces each flow argument to its type hint; these models add the limits (no empty
paths, no negative retries) and turn a bad value into one error that names the field. No parameter
carries a secret: channels read ``${ENV}`` from the worker's environment when the config loads.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from monitors.paths import DEMO_CONFIG_DIR
from monitors.pipeline import RunOptions
from monitors.sharing import DEFAULT_FEED_LEASE, FeedClaims, Shard

_DEMO = str(DEMO_CONFIG_DIR)


def _as_utc(value: datetime) -> datetime:
    """A time without a zone means UTC (report times are all compared in UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


Since = Annotated[datetime, AfterValidator(_as_utc)]


def _shard(value: str) -> str:
    Shard.parse(value)  # ValueError: pydantic names the field
    return value.strip()


ShardSpec = Annotated[str, AfterValidator(_shard)]


class _Params(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    config_dir: str = Field(default=_DEMO, min_length=1)
    database_url: str | None = Field(default=None, min_length=1)  # None: $CLAIMWATCH_DATABASE_URL


class RetryParams(BaseModel):
    """How often a feed is fetched again after a transient failure, and how long between tries."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fetch_retries: int = Field(default=2, ge=0, le=10)
    retry_delay_seconds: float = Field(default=10.0, ge=0, le=600)  # doubles on every retry


class MonitorParams(_Params, RetryParams):
    """One monitor run: which config, which claim, which reports, and whether to write and send."""

    claim: str | None = Field(default=None, min_length=1)  # decide only this claim id
    since: Since | None = None  # ignore reports published before this (no zone: UTC)
    dry_run: bool = False  # decide and summarise; store nothing, send nothing
    deliver: bool = True  # send queued alerts at the end of the run
    # Sharing the feeds with concurrent runs (monitors/sharing.py):
    shard: ShardSpec | None = None  # "i/n": only feeds whose stable hash mod n is i
    claim_batch: int | None = Field(default=None, ge=1, le=100_000)  # None: all in one batch
    cycle_start: Since | None = None  # None: the run's scheduled start time
    lease_seconds: float = Field(default=DEFAULT_FEED_LEASE.total_seconds(), ge=1, le=86_400)

    def options(self) -> RunOptions:
        claims = (self.claim,) if self.claim else ()
        return RunOptions(claim_ids=claims, since=self.since, dry_run=self.dry_run)

    def shard_spec(self) -> Shard | None:
        return Shard.parse(self.shard) if self.shard else None

    def feed_claims(self, run_id: str, scheduled_start: datetime) -> FeedClaims | None:
        """How this run leases feeds; None for a dry run, which writes no lease."""
        if self.dry_run:
            return None
        return FeedClaims(
            run_id=run_id,
            cycle_start=self.cycle_start or scheduled_start,
            batch=self.claim_batch,
            lease=timedelta(seconds=self.lease_seconds),
        )


class DeliverParams(_Params):
    """One outbox drain."""


class ReplayParams(_Params):
    """Claims over stored reports: what would have alerted; queue and send only with ``send``."""

    claim: str | None = Field(default=None, min_length=1)
    since: Since | None = None
    send: bool = False

    def claim_ids(self) -> tuple[str, ...]:
        return (self.claim,) if self.claim else ()
