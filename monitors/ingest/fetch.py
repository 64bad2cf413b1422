"""Fetch feeds over HTTP(S) with conditional GET, or read them from local files.

Every failure leaves as a ``FetchError`` subclass: ``TransientFetchError`` (connection errors,
408/429/5xx: try again, honouring ``retry_after``; timeouts as its ``FetchTimeoutError``) or
``PermanentFetchError`` (other 4xx, TLS failures, oversize bodies, unsupported URLs, missing
files: needs a human).

Local sources (a plain path or a ``file://`` URL) use the same conditional-GET idea with
``Validators(etag="local:<size>-<mtime_ns>", last_modified=<mtime as an HTTP date>)``: the file
counts as unchanged when the stored etag equals the current one (same size and nanosecond mtime).
"""

from __future__ import annotations

import asyncio
import re
import ssl
import time
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import httpx

from monitors.about import PRODUCT
from monitors.errors import (
    FetchError,
    FetchTimeoutError,
    PermanentFetchError,
    TransientFetchError,
)
from monitors.models import Feed, Validators

USER_AGENT = f"{PRODUCT} (+https://github.com/claimwatch/claimwatch)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
    "text/xml;q=0.9, */*;q=0.5"
)
_TRANSIENT_4XX = frozenset({408, 425, 429})
_RETRY_AFTER_STATUSES = frozenset({429, 503})
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]+):")


@dataclass(frozen=True)
class FetchSettings:
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    deadline: float = 60.0  # whole fetch, body included: a trickling server cannot hold us forever
    poll_budget: float = 600.0  # the whole poll of a run: what is unfinished then waits a run
    max_bytes: int = 10_000_000  # decompressed body cap
    concurrency: int = 8
    max_redirects: int = 5
    verify_tls: bool = True
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class FetchResult:
    feed_id: str
    url: str  # final URL after redirects, or the local path
    not_modified: bool  # True on 304 / unchanged file; body is then empty
    body: bytes
    headers: dict[str, str]  # lower-cased response headers; {} for local files
    validators: Validators  # to store for the next conditional GET
    status_code: int | None  # None for local files
    moved_to: str | None = None  # where 301/308 redirects say the feed now lives, if they did


def make_client(settings: FetchSettings) -> httpx.AsyncClient:
    """An AsyncClient with our timeouts, redirect bound, TLS policy, User-Agent and pool size."""
    timeout = httpx.Timeout(
        connect=settings.connect_timeout,
        read=settings.read_timeout,
        write=settings.read_timeout,
        pool=settings.deadline,
    )
    return httpx.AsyncClient(
        timeout=timeout,
        follow_redirects=True,
        max_redirects=settings.max_redirects,
        verify=settings.verify_tls,
        headers={"User-Agent": settings.user_agent, "Accept": ACCEPT},
        limits=httpx.Limits(max_connections=max(1, settings.concurrency)),
    )


async def fetch_feed(
    client: httpx.AsyncClient, feed: Feed, validators: Validators, settings: FetchSettings
) -> FetchResult:
    """Fetch one feed; raises ``TransientFetchError`` or ``PermanentFetchError``."""
    scheme = _scheme_of(feed.url)
    if scheme in ("", "file"):
        return await asyncio.to_thread(read_local, feed, validators, settings)
    if scheme not in ("http", "https"):
        raise PermanentFetchError(
            feed.id, f"unsupported URL scheme {scheme!r} in {feed.url!r}: use http, https or a path"
        )
    try:
        async with asyncio.timeout(settings.deadline):
            return await _fetch_http(client, feed, validators, settings)
    except TimeoutError as exc:
        raise FetchTimeoutError(
            feed.id,
            f"no complete response within the {settings.deadline:g}s deadline at {feed.url}",
        ) from exc


def _scheme_of(url: str) -> str:
    """The URL scheme, lower-cased; '' for plain paths (one letter before ':' is a drive)."""
    match = _SCHEME.match(url)
    return match.group(1).lower() if match else ""


async def _fetch_http(
    client: httpx.AsyncClient, feed: Feed, validators: Validators, settings: FetchSettings
) -> FetchResult:
    try:
        async with client.stream("GET", feed.url, headers=_conditional_headers(validators)) as resp:
            _raise_for_status(feed, resp)
            not_modified = resp.status_code == 304
            body = b"" if not_modified else await _read_capped(feed, resp, settings.max_bytes)
            return FetchResult(
                feed_id=feed.id,
                url=str(resp.url),
                not_modified=not_modified,
                body=body,
                headers={k.lower(): v for k, v in resp.headers.items()},
                validators=_new_validators(resp, validators),
                status_code=resp.status_code,
                moved_to=permanent_location(resp),
            )
    except httpx.HTTPError as exc:
        raise _translate(feed, exc) from exc


_PERMANENT_REDIRECTS = frozenset({301, 308})


def permanent_location(resp: httpx.Response) -> str | None:
    """The URL the feed moved to for good: the target of the leading run of 301/308 hops.

    A temporary redirect (302/307) after them is followed but not stored: the server said the
    feed lives at the permanent target, and only borrows the other URL for now."""
    moved: str | None = None
    hops = [*resp.history, resp]
    for hop, following in zip(hops, hops[1:], strict=False):
        if hop.status_code not in _PERMANENT_REDIRECTS:
            break
        moved = str(following.request.url)
    return moved


def _conditional_headers(validators: Validators) -> dict[str, str]:
    pairs = (("If-None-Match", validators.etag), ("If-Modified-Since", validators.last_modified))
    return {name: value for name, value in pairs if value and _header_safe(value)}


def _header_safe(value: str) -> bool:
    """Stored validators came from a server: refuse anything that could split a header."""
    return value.isascii() and not any(c in value for c in "\r\n\0")


def _new_validators(resp: httpx.Response, old: Validators) -> Validators:
    """The response's validators; on 304 a missing one keeps its stored value."""
    etag, modified = resp.headers.get("etag"), resp.headers.get("last-modified")
    if resp.status_code == 304:
        return Validators(etag=etag or old.etag, last_modified=modified or old.last_modified)
    return Validators(etag=etag, last_modified=modified)


def _raise_for_status(feed: Feed, resp: httpx.Response) -> None:
    code = resp.status_code
    if code == 304 or 200 <= code < 300:
        return
    message = f"HTTP {code} {httpx.codes.get_reason_phrase(code) or 'error'} at {resp.url}"
    if code >= 500 or code in _TRANSIENT_4XX:
        retry_after = (
            parse_retry_after(resp.headers.get("retry-after"))
            if code in _RETRY_AFTER_STATUSES
            else None
        )
        raise TransientFetchError(feed.id, message, status_code=code, retry_after=retry_after)
    raise PermanentFetchError(feed.id, message, status_code=code)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait per a Retry-After header (delta-seconds or HTTP date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; an unzoned one is read as such
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


async def _read_capped(feed: Feed, resp: httpx.Response, max_bytes: int) -> bytes:
    """The decoded body, refused as soon as it (or its announced length) passes ``max_bytes``."""
    declared = resp.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(feed, resp.url, max_bytes)
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(feed, resp.url, max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(feed: Feed, where: object, max_bytes: int) -> PermanentFetchError:
    return PermanentFetchError(
        feed.id,
        f"body exceeds {max_bytes} bytes cap at {where} (raise fetch max_bytes if expected)",
    )


def _translate(feed: Feed, exc: httpx.HTTPError) -> FetchError:
    """httpx's exception as ours, classified transient or permanent."""
    where = _request_url(exc) or feed.url
    if isinstance(exc, httpx.TimeoutException):
        return FetchTimeoutError(feed.id, f"timed out ({type(exc).__name__}) at {where}")
    if _is_tls_failure(exc):
        return PermanentFetchError(feed.id, f"TLS/certificate error at {where}: {exc}")
    if isinstance(exc, httpx.TooManyRedirects):
        return PermanentFetchError(feed.id, f"too many redirects at {where}")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return PermanentFetchError(feed.id, f"unsupported or invalid URL at {where}: {exc}")
    if isinstance(exc, httpx.DecodingError):
        return PermanentFetchError(feed.id, f"body could not be decoded at {where}: {exc}")
    if isinstance(exc, httpx.RemoteProtocolError) and _HEADERS_TOO_LONG in str(exc):
        # h11 stops reading headers past its buffer: asking again only gets the same answer.
        return PermanentFetchError(
            feed.id, f"response headers too large (over httpcore's 100 KB) at {where}"
        )
    if isinstance(exc, httpx.TransportError):
        return TransientFetchError(feed.id, f"connection failed at {where}: {_describe(exc)}")
    return PermanentFetchError(feed.id, f"request failed at {where}: {_describe(exc)}")


_HEADERS_TOO_LONG = "Receive buffer too long"  # h11's words for headers over its buffer


def _describe(exc: Exception) -> str:
    return str(exc) or type(exc).__name__


def _request_url(exc: httpx.HTTPError) -> str | None:
    try:
        return str(exc.request.url)
    except RuntimeError:  # httpx raises when the error has no request attached
        return None


def _is_tls_failure(exc: BaseException) -> bool:
    """True when an ssl error (certificate, handshake) is anywhere in the exception chain."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError | ssl.CertificateError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def read_local(feed: Feed, validators: Validators, settings: FetchSettings) -> FetchResult:
    """Read a local feed file, unchanged when its size and mtime match the stored validators."""
    path = local_path(feed)
    try:
        stat = path.stat()
        if not path.is_file():
            raise PermanentFetchError(feed.id, f"not a regular file: {path}")
        if stat.st_size > settings.max_bytes:
            raise _too_large(feed, path, settings.max_bytes)
        current = Validators(
            etag=f"local:{stat.st_size}-{stat.st_mtime_ns}",
            last_modified=formatdate(stat.st_mtime, usegmt=True),
        )
        if validators.etag == current.etag:
            return FetchResult(feed.id, str(path), True, b"", {}, current, None)
        with path.open("rb") as handle:
            body = handle.read(settings.max_bytes + 1)  # the file may have grown since stat()
    except FileNotFoundError as exc:
        raise PermanentFetchError(feed.id, f"no such file: {path} (check the feed's url)") from exc
    except OSError as exc:
        raise PermanentFetchError(feed.id, f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(body) > settings.max_bytes:
        raise _too_large(feed, path, settings.max_bytes)
    return FetchResult(feed.id, str(path), False, body, {}, current, None)


def local_path(feed: Feed) -> Path:
    """The filesystem path of a local feed (plain path or ``file://`` URL on this host)."""
    if _scheme_of(feed.url) != "file":
        return Path(feed.url).expanduser()
    parts = urlsplit(feed.url)
    if parts.netloc not in ("", "localhost"):
        raise PermanentFetchError(
            feed.id, f"file URL on another host {parts.netloc!r}: only local files can be read"
        )
    return Path(url2pathname(unquote(parts.path)))
