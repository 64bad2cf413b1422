"""Prefect orchestration over monitors/ and alerts/.

Importing it sets claimwatch's defaults for the Prefect server a run starts on its own (no
``PREFECT_API_URL``): no usage telemetry, which an offline machine could only report as a red
``ERROR ... Failed to send telemetry`` on every first run. A value already in the environment
wins, and a server the user runs is configured by the user.
"""

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
