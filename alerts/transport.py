"""How every HTTP channel talks to its server: TLS trust, loopback checks, one JSON POST.

Failure policy of ``post_json``: 2xx is delivered; timeouts, connection errors, 408, 425, 429 and
5xx are transient (retried on the next run; a Retry-After there holds the channel's alerts
back until then, across runs and deliverers, at most 6 h); redirects and every other status are
permanent, because following a redirect would send the signed alert somewhere the user did not
configure.
Error messages name only the URL's origin: webhook paths and query strings often carry tokens.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from ipaddress import ip_address
from urllib.parse import urlsplit

import httpx
from pydantic import FilePath

from monitors.about import PRODUCT
from monitors.errors import DeliveryError, DeliveryTimeoutError, TransientDeliveryError
from monitors.ingest.fetch import parse_retry_after
from monitors.untrusted import one_line

USER_AGENT = PRODUCT
TRANSIENT_STATUS = frozenset({408, 425, 429})
MAX_RETRY_AFTER = 6 * 3600.0  # a receiver asking for a week is asked again after this


def tls_context(verify: bool, ca_file: FilePath | None = None) -> ssl.SSLContext:
    """System trust store plus ``ca_file``; verification can be turned off only explicitly."""
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses: the only hosts where plain-text login is ok."""
    if host.lower() == "localhost":
        return True
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def origin(url: str) -> str:
    """``scheme://host[:port]``: safe to show in errors and logs (no credentials, path or query)."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


@dataclass(frozen=True)
class PostTarget:
    """Where and how to POST: shared by every HTTP channel (webhook, Slack, Discord)."""

    label: str  # names the channel in errors, e.g. "webhook ops-hook"
    url: str = field(repr=False)  # may carry a token: only its origin reaches error messages
    timeout: float
    verify: ssl.SSLContext


def post_json(target: PostTarget, body: bytes, headers: Mapping[str, str]) -> None:
    """POST ``body`` once; return on 2xx, else raise by the policy in this module's docstring."""
    where = origin(target.url)
    try:
        with httpx.Client(timeout=target.timeout, verify=target.verify) as client:
            response = client.post(target.url, content=body, headers=dict(headers))
    except httpx.TimeoutException as exc:
        message = f"no answer from {where} within {target.timeout:g}s"
        raise DeliveryTimeoutError(target.label, message) from exc
    except httpx.TransportError as exc:
        raise _transport_error(target.label, where, exc, target.url) from exc
    if not response.is_success:
        raise _status_error(target.label, where, response)


def _status_error(label: str, where: str, response: httpx.Response) -> DeliveryError:
    status = f"HTTP {response.status_code} from {where}"
    if response.is_redirect:
        target = origin(str(response.next_request.url)) if response.next_request else "?"
        hint = f" (redirect to {target}); set url to the final address"
        return DeliveryError(label, status + hint)
    if response.status_code >= 500 or response.status_code in TRANSIENT_STATUS:
        wait = parse_retry_after(response.headers.get("retry-after"))
        if wait is None:
            return TransientDeliveryError(label, status)
        wait = min(wait, MAX_RETRY_AFTER)
        return TransientDeliveryError(
            label, f"{status}; it asks to wait {wait:g}s (Retry-After)", retry_after=wait
        )
    return DeliveryError(label, status + "; check the url and the receiver's logs")


def _transport_error(label: str, where: str, exc: httpx.TransportError, url: str) -> DeliveryError:
    """TLS trust failures need the user to act; every other network failure may heal itself."""
    cause: BaseException | None = exc
    for _ in range(10):  # the chain is short; the bound guards against a cyclic __context__
        if cause is None:
            break
        if isinstance(cause, ssl.SSLCertVerificationError):
            return DeliveryError(
                label,
                f"TLS certificate of {where} not trusted ({cause.verify_message}); "
                "fix the server certificate or set ca_file",
            )
        cause = cause.__cause__ or cause.__context__
    reason = _redact(one_line(str(exc)), url) or type(exc).__name__
    return TransientDeliveryError(label, f"cannot reach {where}: {reason}")


def _redact(text: str, url: str) -> str:
    """Drop the URL's secret-bearing parts from a library message, should one ever quote them."""
    parts = urlsplit(url)
    for secret in (url, parts.password, parts.path, parts.query):
        if secret and len(secret) > 1:
            text = text.replace(secret, "…")
    return text
