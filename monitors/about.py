"""claimwatch's own version, as installed (the User-Agent of every request we make carries it)."""

from __future__ import annotations

from importlib import metadata


def _version() -> str:
    try:
        return metadata.version("claimwatch")
    except metadata.PackageNotFoundError:  # running from a source checkout, not installed
        return "dev"


VERSION = _version()
PRODUCT = f"claimwatch/{VERSION}"
