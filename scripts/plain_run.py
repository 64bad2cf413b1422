"""One monitor run without Prefect: the flow's steps as plain calls, to measure what Prefect costs.

    python -m scripts.plain_run --config DIR --database-url URL

The same steps as ``claimwatch run`` (flows/monitor.py), in the same order and over the same
store: lease the cycle's feeds (monitors/sharing.py), poll them in one step, decide, record
health, deliver the outbox. What it leaves out is exactly what Prefect adds: the flow and task
runs and their states, the run's artifacts and events, and the server. ``scripts.bench`` times
it next to ``claimwatch run`` for the "Prefect path <= 1.3x the plain path" figure. It is a
measuring tool, not a supported way to run claimwatch (no schedule, no artifacts).
"""

from __future__ import annotations

import argparse
import sys
import uuid
from datetime import UTC, datetime

from alerts.deliver import deliver_configured
from flows.config import load_config
from monitors.ingest.poll import RetryPolicy
from monitors.pipeline import RunOptions, summarize
from monitors.quick_exit import freeze_at_exit
from monitors.sharing import FeedClaims, merge, monitor_cycle, plain_step
from monitors.state.store import Store


def run(config_dir: str, database_url: str) -> int:
    config = load_config(config_dir, secrets=None)
    store = Store(database_url)
    try:
        claims = FeedClaims(run_id=str(uuid.uuid4()), cycle_start=datetime.now(UTC))
        step = plain_step(store, config, RunOptions(), config.fetch, RetryPolicy())
        batch = merge(monitor_cycle(store, config.feeds, step, claims))
        summary = summarize(batch.polled.polls, batch.processed, batch.polled.stats)
        delivery = deliver_configured(store, config.channels, config.delivery)
        summary.alerts_sent, summary.alerts_pending = delivery.sent, delivery.pending
        summary.messages = delivery.messages_line()
        summary.delivery_errors = delivery.errors
    finally:
        store.close()
    for line in summary.lines():
        print(line)
    return 1 if summary.feeds_failed and not summary.feeds_ok else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="config directory (claims, feeds, ...)")
    parser.add_argument("--database-url", required=True, help="the state database")
    args = parser.parse_args(argv)
    freeze_at_exit()  # as ``claimwatch`` does: the same process exit on both paths
    return run(args.config, args.database_url)


if __name__ == "__main__":
    sys.exit(main())
