"""The claimwatch exception tree.

Every error the product raises on purpose derives from ``ClaimwatchError``; lower libraries' errors
(httpx, feedparser, smtplib, SQLAlchemy) are translated at the boundary (``raise ... from exc``)::

    ClaimwatchError
      ConfigError            bad claims/feeds/channels file: every problem, file + entry + field
      FetchError             .feed_id, .status_code
        TransientFetchError  timeout, connection reset, 429 (.retry_after), 5xx -> retried
          FetchTimeoutError  no complete response in time      -> next run, not within this one
        PermanentFetchError  401/403/404/410, TLS, too large, not a feed       -> reported
      ParseError             body is not a feed (bozo and no entries)
      DeliveryError          a channel failed; message starts with the channel ("webhook: ...")
        TransientDeliveryError   worth retrying (timeouts, 5xx, SMTP 4xx, connection refused)
      StoreError             the state database cannot be opened or migrated
      ServeError             ``claimwatch serve`` cannot serve (no Prefect server)
      FeedbackError          an analyst's verdict request is malformed
      UnknownReportError     a report reference names no stored report, or several
"""

from __future__ import annotations


class ClaimwatchError(Exception):
    """Base of every error claimwatch raises on purpose."""


class ConfigError(ClaimwatchError):
    """A configuration file is invalid. ``problems`` holds one line per problem."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = list(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{source}: {count} {noun}"] + [f"  {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class FetchError(ClaimwatchError):
    """A feed could not be fetched."""

    def __init__(self, feed_id: str, message: str, status_code: int | None = None) -> None:
        self.feed_id = feed_id
        self.status_code = status_code
        super().__init__(f"{feed_id}: {message}")


class TransientFetchError(FetchError):
    """Worth retrying later: timeouts, connection errors, 429, 5xx."""

    def __init__(
        self,
        feed_id: str,
        message: str,
        status_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(feed_id, message, status_code)
        self.retry_after = retry_after


class FetchTimeoutError(TransientFetchError):
    """The feed missed its deadline (or an httpx timeout): tried again on the next run only."""


class PermanentFetchError(FetchError):
    """Will not fix itself: 4xx other than 429, TLS failures, oversize bodies, bad URLs."""


class ParseError(ClaimwatchError):
    """The body is not a feed: feedparser found no entries and flagged it malformed."""

    def __init__(self, feed_id: str, message: str) -> None:
        self.feed_id = feed_id
        super().__init__(f"{feed_id}: {message}")


class DeliveryError(ClaimwatchError):
    """A channel failed to deliver an alert. The message starts with the channel name."""

    def __init__(self, channel: str, message: str) -> None:
        self.channel = channel
        super().__init__(f"{channel}: {message}")


class TransientDeliveryError(DeliveryError):
    """A delivery failure worth retrying on the next run; ``retry_after``: seconds the channel
    asked us to wait (429/503 Retry-After), when it said."""

    def __init__(self, channel: str, message: str, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(channel, message)


class DeliveryTimeoutError(TransientDeliveryError):
    """The channel did not answer in time: it may have delivered (so a retry may repeat it), and a
    channel that times out twice in a run is not tried again in that run."""


class StoreError(ClaimwatchError):
    """The state database cannot be opened or used."""


class ServeError(ClaimwatchError):
    """``claimwatch serve`` cannot run its deployment; the message says what to start or set."""

    def __init__(self, message: str) -> None:
        super().__init__(f"serve: {message}")


class FeedbackError(ClaimwatchError):
    """An analyst's verdict cannot be recorded: the request is malformed or contradicts itself."""


class UnknownReportError(ClaimwatchError):
    """A report reference (``#12``, ``FEED_ID:REPORT_ID``, a link) names no stored report, or
    several (``monitors.state.report_ref``)."""
