"""Run claims over the reports already stored: what would have alerted, and alert only if asked.

After adding a claim or changing its aliases, a replay answers "did the story already break?".
Without ``send`` every decision is computed for real and rolled back; with it the alerts are
queued and delivered like a monitor run's.
"""

from __future__ import annotations

from datetime import datetime

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from flows.artifacts import REPLAY_KEY, artifact_key, replay_markdown
from flows.config import load_config
from flows.deliver import deliver_task
from flows.params import ReplayParams
from flows.unwalked import unwalked
from monitors import replay as replay_core
from monitors.config import Config
from monitors.paths import DEMO_CONFIG_DIR, default_database_url
from monitors.state.store import Store


@task(name="replay-reports", cache_policy=NO_CACHE)
def replay_task(
    config: Config, database_url: str, params: ReplayParams
) -> replay_core.ReplayResult:
    store = Store(database_url)
    try:
        return replay_core.replay_claims(
            store, config, params.claim_ids(), since=params.since, send=params.send
        )
    finally:
        store.close()


@flow(name="replay-claims")
def replay_claims(
    config_dir: str = str(DEMO_CONFIG_DIR),
    database_url: str | None = None,
    claim: str | None = None,
    since: datetime | None = None,
    send: bool = False,
) -> replay_core.ReplayResult:
    """Decide stored reports against the claims; queue and deliver the alerts only with ``send``."""
    params = ReplayParams(
        config_dir=config_dir, database_url=database_url, claim=claim, since=since, send=send
    )
    config = load_config(params.config_dir)
    url = params.database_url or default_database_url()
    result = replay_task(config, url, params)
    logger = get_run_logger()
    for alert in result.alerts:
        logger.info("%s <- %r [%s]", alert.headline, alert.report_title, alert.feed_id)
    if params.send:
        deliver_task(unwalked(config), url)
    create_markdown_artifact(
        key=artifact_key(REPLAY_KEY, config.source),
        markdown=replay_markdown(result.reports, result.alerts, result.sent),
        description="Claims replayed over stored reports",
    )
    return result
