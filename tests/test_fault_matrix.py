"""Every fault of issue 11's matrix, played over whole runs against real loopback servers:
while it lasts the desk keeps what it should, and once it is gone every alert ends delivered
exactly once, or failed with its reason; at-least-once faults repeat no more alerts than were
on the wire (``tests/fixtures/fault_matrix.py`` has the faults; ``python -m scripts.faults``
prints the table)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.fault_matrix import FAULTS, Fault, Servers, expected_alerts, play
from tests.fixtures.feed_server import FeedServer
from tests.fixtures.smtp_server import SmtpServer
from tests.fixtures.webhook_receiver import WebhookReceiver


@pytest.fixture(scope="module")
def expected(
    tmp_path_factory: pytest.TempPathFactory, feed_server: FeedServer
) -> Iterator[set[tuple[str, str]]]:
    smtp, hook = SmtpServer(), WebhookReceiver()
    smtp.start()
    hook.start()
    try:
        yield expected_alerts(tmp_path_factory.mktemp("no-fault"), Servers(feed_server, smtp, hook))
    finally:
        smtp.stop()
        hook.stop()


def test_the_desk_without_faults_alerts_on_both_claims_and_both_channels(
    expected: set[tuple[str, str]],
) -> None:
    channels = {channel for channel, _ in expected}
    assert {"desk-email", "desk-hook"} == channels
    assert len(expected) >= 6  # three Gornal and two Kursk changes, give or take the policy


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_after_the_fault_every_alert_is_delivered_once_or_failed_with_its_reason(
    tmp_path: Path,
    feed_server: FeedServer,
    smtp_server: SmtpServer,
    webhook_receiver: WebhookReceiver,
    expected: set[tuple[str, str]],
    fault: Fault,
) -> None:
    row = play(fault, tmp_path, Servers(feed_server, smtp_server, webhook_receiver), expected)
    assert (0, 0) == (row.lost, row.unexpected), row
    # At-least-once: only an alert the servers took while the fault lasted may come twice (how
    # many depends on how many tries fit in the fault's runs, which load changes).
    assert row.repeated_off_wire == 0, row
    assert row.duplicated <= (row.on_wire if fault.repeats else 0), row
    failing = {pair for pair in expected if pair[0] == fault.failing}
    assert len(failing) == row.failed, row
    assert all(fault.said in reason for reason in row.reasons), row
    assert row.expected == row.delivered_once + row.duplicated + row.failed
