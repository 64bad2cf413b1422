"""HMAC-SHA256 signatures for webhook deliveries (the scheme is documented in docs/webhook.md).

The signed message is ``f"{timestamp}.".encode() + body``: binding the timestamp into the MAC lets a
receiver reject replays of an old delivery, and signing the exact body bytes means the receiver
must verify before parsing the JSON.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Claimwatch-Signature"
TIMESTAMP_HEADER = "X-Claimwatch-Timestamp"
DEFAULT_TOLERANCE_S = 300


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The ``X-Claimwatch-Signature`` value: ``t=<unix seconds>,v1=<hex hmac-sha256>``."""
    moment = int(time.time()) if timestamp is None else timestamp
    return f"t={moment},v1={_mac(secret, moment, body)}"


def parse_signature(header: str) -> tuple[int, list[str]] | None:
    """``(timestamp, [v1 signatures])`` from a header value, or None when it is malformed."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            if timestamp is not None or not value.isdigit():
                return None  # one numeric timestamp, or the header is not ours
            timestamp = int(value)
        elif key == "v1" and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        return None
    return timestamp, signatures


def verify_signature(
    secret: str,
    header: str,
    body: bytes,
    tolerance_s: float = DEFAULT_TOLERANCE_S,
    now: float | None = None,
) -> bool:
    """True if ``header`` signs ``body`` with ``secret`` and its timestamp is within tolerance.

    Several ``v1=`` entries are accepted (any may match) so a sender can rotate secrets.
    """
    parsed = parse_signature(header)
    if parsed is None:
        return False
    timestamp, signatures = parsed
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_s:
        return False
    expected = _mac(secret, timestamp, body).encode()
    # Compare bytes: compare_digest raises TypeError on non-ASCII str, and headers are hostile.
    return any(
        hmac.compare_digest(expected, candidate.encode("utf-8", "replace"))
        for candidate in signatures
    )
