"""claimwatch monitors: config, fetch, parse, store, match and stance. Never imports Prefect."""
