"""Drain the alert outbox on its own schedule, apart from polling.

A monitor run delivers what it queued; this flow catches what was left pending (a channel was
down) without waiting for the next poll. No Prefect retries: the outbox is the retry mechanism (a
failed send stays pending with its error and attempt count), and a lease keeps two runs from
sending the same alert.
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from alerts.deliver import DeliveryResult, deliver_configured
from flows.config import load_config
from flows.params import DeliverParams
from flows.unwalked import unwalked
from monitors.config import Config
from monitors.paths import DEMO_CONFIG_DIR, default_database_url
from monitors.state.store import Store

DELIVERY_TIMEOUT_S = 600  # a backstop: each channel has its own network timeout


@task(name="deliver-alerts", cache_policy=NO_CACHE, timeout_seconds=DELIVERY_TIMEOUT_S)
def deliver_task(config: Config, database_url: str) -> DeliveryResult:
    store = Store(database_url)
    try:
        result = deliver_configured(store, config.channels, config.delivery)
    finally:
        store.close()
    logger = get_run_logger()
    for error in result.errors:
        logger.warning("delivery failed (stays queued): %s", error)
    return result


@flow(name="deliver-alerts")
def deliver_alerts(
    config_dir: str = str(DEMO_CONFIG_DIR), database_url: str | None = None
) -> DeliveryResult:
    """Send every pending alert in the outbox on its channel; failures stay queued."""
    params = DeliverParams(config_dir=config_dir, database_url=database_url)
    config = load_config(params.config_dir)
    result = deliver_task(unwalked(config), params.database_url or default_database_url())
    get_run_logger().info(
        "alerts: %d sent, %d failed, %d pending", result.sent, len(result.errors), result.pending
    )
    return result
