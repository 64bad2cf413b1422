"""claimwatch alerts: render and deliver alerts over pluggable channels. Never imports Prefect."""
