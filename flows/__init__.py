"""Prefect orchestration over monitors/ and alerts/."""
