"""claimwatch monitors: config, ingest, stance, policy, state, pipeline. Never imports Prefect."""
