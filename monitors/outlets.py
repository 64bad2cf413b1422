"""Who published a report: the one home for reading a link's host.

An outlet is the host of a report's link, lower-case, without a trailing dot or a leading
``www.``: one publisher's several feeds (NYT World, NYT Top Stories) are one outlet. Mutes match
sources by it, coverage and alerts count independent outlets by it.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def normal_host(host: str) -> str:
    """Lower case, no trailing dot, no leading ``www.``: how hosts are compared."""
    host = host.strip().lower().rstrip(".")
    return host.removeprefix("www.")


def link_host(link: str | None) -> str | None:
    """The normalised host of a report's link; None for no link or one without a host."""
    if not link:
        return None
    try:
        host = urlsplit(link.strip()).hostname
    except ValueError:  # a hostile feed's malformed link (bad port, brackets, IPv6 literal)
        return None
    return (normal_host(host) or None) if host else None


def outlet_of(feed_id: str, link: str | None) -> str:
    """The report's outlet: its link's host, else its feed (``feed:<id>``) when the link names
    no host."""
    host = link_host(link)
    return host if host else f"feed:{feed_id}"
