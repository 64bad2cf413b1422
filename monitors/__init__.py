"""claimwatch monitors: config, ingest, stance, policy, state and the pipeline. Never imports Prefect."""
