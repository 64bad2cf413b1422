"""fetch_feed against the real feed server on 127.0.0.1, and local files."""

from __future__ import annotations

import asyncio
import gzip
import socket
import time
from collections.abc import Coroutine
from email.utils import formatdate
from pathlib import Path
from typing import Any, TypeVar

import pytest

from monitors.errors import (
    FetchError,
    FetchTimeoutError,
    PermanentFetchError,
    TransientFetchError,
)
from monitors.ingest.fetch import (
    FetchResult,
    FetchSettings,
    Validators,
    fetch_feed,
    make_client,
    parse_retry_after,
)
from monitors.models import Feed
from tests.fixtures.feed_server import FeedServer, rss_feed

T = TypeVar("T")
FAST = FetchSettings(connect_timeout=2.0, read_timeout=2.0, deadline=5.0)
BODY = rss_feed([{"title": "Fetched report", "guid": "fetch-1"}])


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


async def _fetch(
    url: str, validators: Validators | None = None, settings: FetchSettings = FAST
) -> FetchResult:
    async with make_client(settings) as client:
        return await fetch_feed(client, Feed("f", url), validators or Validators(), settings)


def fetch(url: str, validators: Validators | None = None, settings: FetchSettings = FAST) -> Any:
    return run(_fetch(url, validators, settings))


def fetch_error(url: str, settings: FetchSettings = FAST) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetch(url, settings=settings)
    return info.value


def test_200_returns_body_headers_and_validators(feed_server: FeedServer) -> None:
    """A plain 200 gives the body, lower-cased headers, status and the server's validators."""
    url = feed_server.set_feed(
        "/f/plain.xml", BODY, etag='"p1"', last_modified="Mon, 06 Jan 2025 10:00:00 GMT"
    )
    result = fetch(url)
    expected = (url, False, BODY, 200, Validators('"p1"', "Mon, 06 Jan 2025 10:00:00 GMT"))
    actual = (result.url, result.not_modified, result.body, result.status_code, result.validators)
    assert (expected, "application/rss+xml; charset=utf-8") == (
        actual,
        result.headers["content-type"],
    )


def test_etag_round_trip_gives_304(feed_server: FeedServer) -> None:
    """The stored ETag goes out as If-None-Match and a 304 comes back as not_modified."""
    url = feed_server.set_feed("/f/etag.xml", BODY, etag='"e1"')
    first = fetch(url)
    second = fetch(url, first.validators)
    sent = feed_server.requests_for("/f/etag.xml")[-1].get("if-none-match")
    assert (True, b"", 304, Validators('"e1"'), '"e1"') == (
        second.not_modified,
        second.body,
        second.status_code,
        second.validators,
        sent,
    )


def test_last_modified_round_trip_gives_304(feed_server: FeedServer) -> None:
    """The stored Last-Modified goes out as If-Modified-Since and yields a 304."""
    stamp = "Tue, 07 Jan 2025 08:00:00 GMT"
    url = feed_server.set_feed("/f/lastmod.xml", BODY, last_modified=stamp)
    second = fetch(url, fetch(url).validators)
    sent = feed_server.requests_for("/f/lastmod.xml")[-1].get("if-modified-since")
    assert (True, Validators(None, stamp), stamp) == (second.not_modified, second.validators, sent)


def test_replaced_feed_is_fetched_again(feed_server: FeedServer) -> None:
    """After set_feed replaces content and ETag, the old ETag no longer matches."""
    url = feed_server.set_feed("/f/replaced.xml", BODY, etag='"r1"')
    old = fetch(url).validators
    new_body = rss_feed([{"title": "Second edition", "guid": "fetch-2"}])
    feed_server.set_feed("/f/replaced.xml", new_body, etag='"r2"')
    result = fetch(url, old)
    assert (False, new_body, Validators('"r2"')) == (
        result.not_modified,
        result.body,
        result.validators,
    )


def test_builtin_etag_route_304(feed_server: FeedServer) -> None:
    """The /etag/ route serves an ETag and answers 304 when it comes back."""
    url = feed_server.url("/etag/route-check")
    first = fetch(url)
    second = fetch(url, first.validators)
    expected = (False, True)
    assert expected == (first.not_modified, second.not_modified)


def test_unsafe_stored_validator_is_not_sent(feed_server: FeedServer) -> None:
    """A stored ETag holding CR/LF is dropped rather than sent as a header."""
    url = feed_server.set_feed("/f/unsafe.xml", BODY, etag='"u1"')
    result = fetch(url, Validators(etag='"u1"\r\nX-Injected: 1'))
    headers = feed_server.requests_for("/f/unsafe.xml")[-1]
    expected = (False, None, None)
    assert expected == (
        result.not_modified,
        headers.get("if-none-match"),
        headers.get("x-injected"),
    )


@pytest.mark.parametrize("code", [401, 403, 404, 410, 418])
def test_client_errors_are_permanent(feed_server: FeedServer, code: int) -> None:
    """4xx other than 408/429 is permanent and keeps the status code."""
    error = fetch_error(feed_server.url(f"/status/{code}"))
    assert (PermanentFetchError, code) == (type(error), error.status_code)


def test_404_message_is_readable(feed_server: FeedServer) -> None:
    """The message names the feed, the status and the URL."""
    url = feed_server.url("/status/404")
    assert f"f: HTTP 404 Not Found at {url}" == str(fetch_error(url))


@pytest.mark.parametrize("code", [500, 502, 503, 408])
def test_server_errors_are_transient(feed_server: FeedServer, code: int) -> None:
    """5xx (and 408) are transient."""
    error = fetch_error(feed_server.url(f"/status/{code}"))
    assert (TransientFetchError, code) == (type(error), error.status_code)


def test_429_retry_after_seconds(feed_server: FeedServer) -> None:
    """429 with Retry-After: 7 is transient with retry_after 7 s."""
    error = fetch_error(feed_server.url("/retry-after/429?after=7"))
    assert isinstance(error, TransientFetchError)
    assert (TransientFetchError, 429, 7.0) == (type(error), error.status_code, error.retry_after)


def test_503_retry_after_http_date(feed_server: FeedServer) -> None:
    """503 with an HTTP-date Retry-After ~60 s ahead yields about 60 s."""
    error = fetch_error(feed_server.url("/retry-after/503?after=60&form=date"))
    assert isinstance(error, TransientFetchError)
    expected = (503, True)
    assert expected == (error.status_code, 55.0 <= (error.retry_after or 0.0) <= 60.0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("120", 120.0), ("Thu, 01 Jan 1970 00:01:40 GMT", 90.0), ("soon", None), (None, None)],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    """Retry-After as seconds or HTTP date (relative to now); garbage is None."""
    assert expected == parse_retry_after(value, now=10.0)


def test_slow_headers_hit_read_timeout(feed_server: FeedServer) -> None:
    """A server silent past read_timeout gives a timeout (transient, but not retried in-run)."""
    settings = FetchSettings(connect_timeout=1.0, read_timeout=0.3, deadline=5.0)
    error = fetch_error(feed_server.url("/slow?seconds=1.5"), settings)
    assert (FetchTimeoutError, True) == (type(error), "timed out" in str(error))


def test_trickling_body_hits_overall_deadline(feed_server: FeedServer) -> None:
    """A body trickled slower than the deadline is cut off though each read is quick."""
    settings = FetchSettings(connect_timeout=1.0, read_timeout=2.0, deadline=0.5)
    started = time.monotonic()
    error = fetch_error(feed_server.url("/slow?seconds=2&mode=during"), settings)
    elapsed = time.monotonic() - started
    assert (FetchTimeoutError, True, True) == (
        type(error),
        "deadline" in str(error),
        elapsed < 1.5,
    )


@pytest.mark.parametrize("length", ["1", "0"])
def test_body_over_cap_is_permanent(feed_server: FeedServer, length: str) -> None:
    """A body past max_bytes fails, with or without Content-Length."""
    settings = FetchSettings(read_timeout=2.0, deadline=5.0, max_bytes=50_000)
    error = fetch_error(feed_server.url(f"/big?bytes=400000&length={length}"), settings)
    assert (PermanentFetchError, True) == (
        type(error),
        "body exceeds 50000 bytes cap" in str(error),
    )


def test_announced_length_over_cap_refused_before_reading(feed_server: FeedServer) -> None:
    """A Content-Length over the cap is refused from the headers alone (the body is tiny)."""
    settings = FetchSettings(read_timeout=2.0, deadline=5.0, max_bytes=50_000)
    error = fetch_error(feed_server.url("/big?bytes=100&declare=400000"), settings)
    assert (PermanentFetchError, True) == (
        type(error),
        "body exceeds 50000 bytes cap" in str(error),
    )


def test_body_under_cap_without_length_is_read(feed_server: FeedServer) -> None:
    """Without Content-Length a body under the cap is read to the end."""
    result = fetch(feed_server.url("/big?bytes=40000&length=0"))
    expected = 40_000
    assert expected == len(result.body)


def test_gzip_is_decoded(feed_server: FeedServer) -> None:
    """A gzip Content-Encoding body arrives decoded."""
    feed_server.set_feed("/f/zipped.xml", BODY)
    result = fetch(feed_server.url("/gzip/f/zipped.xml"))
    expected = (BODY, "gzip")
    assert expected == (result.body, result.headers["content-encoding"])


def test_gzip_cap_applies_to_decoded_size(feed_server: FeedServer) -> None:
    """A small gzip body expanding past max_bytes is refused."""
    feed_server.set_feed("/f/bomb.xml", b"\0" * 2_000_000)
    settings = FetchSettings(read_timeout=2.0, deadline=5.0, max_bytes=100_000)
    assert len(gzip.compress(b"\0" * 2_000_000)) < 100_000
    error = fetch_error(feed_server.url("/gzip/f/bomb.xml"), settings)
    assert type(error) is PermanentFetchError


def test_redirect_followed_and_final_url_reported(feed_server: FeedServer) -> None:
    """A 302 is followed; the result carries the final URL."""
    target = feed_server.set_feed("/f/moved.xml", BODY)
    result = fetch(feed_server.url("/redirect?to=/f/moved.xml"))
    assert (target, BODY) == (result.url, result.body)


def test_redirect_loop_is_permanent(feed_server: FeedServer) -> None:
    """Endless redirects stop at max_redirects with a permanent error."""
    error = fetch_error(feed_server.url("/loop"))
    assert (PermanentFetchError, True) == (type(error), "too many redirects" in str(error))


def test_user_agent_sent(feed_server: FeedServer) -> None:
    """Requests carry claimwatch's User-Agent."""
    fetch(feed_server.set_feed("/f/ua.xml", BODY))
    agent = feed_server.requests_for("/f/ua.xml")[-1]["user-agent"]
    assert (FetchSettings().user_agent, True) == (agent, agent.startswith("claimwatch/"))


def test_connection_refused_is_transient() -> None:
    """Nothing listening on the port: transient connection error."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    error = fetch_error(f"http://127.0.0.1:{port}/feed.xml")
    assert type(error) is TransientFetchError


def test_tls_failure_is_permanent(feed_server: FeedServer) -> None:
    """Speaking TLS to a plain-HTTP port fails the handshake: permanent."""
    url = feed_server.url("/f/plain.xml").replace("http://", "https://")
    error = fetch_error(url)
    assert (PermanentFetchError, True) == (type(error), "TLS" in str(error))


@pytest.mark.parametrize("url", ["ftp://example.org/feed.xml", "javascript:alert(1)"])
def test_unsupported_scheme_is_permanent(url: str) -> None:
    """Only http, https, file and paths are fetched."""
    error = fetch_error(url)
    assert (PermanentFetchError, True) == (type(error), "unsupported URL scheme" in str(error))


def test_local_path_read_then_not_modified_then_changed(tmp_path: Path) -> None:
    """A local file is read, unchanged on the next poll, and read again once it changes."""
    path = tmp_path / "demo.xml"
    path.write_bytes(BODY)
    first = fetch(str(path))
    second = fetch(str(path), first.validators)
    path.write_bytes(BODY + b"\n")
    third = fetch(str(path), first.validators)
    actual = [(r.not_modified, r.body, r.status_code, r.headers) for r in (first, second, third)]
    expected: list[tuple[bool, bytes, int | None, dict[str, str]]] = [
        (False, BODY, None, {}),
        (True, b"", None, {}),
        (False, BODY + b"\n", None, {}),
    ]
    assert expected == actual


def test_file_url_is_read(tmp_path: Path) -> None:
    """file:// URLs read the same file as the plain path."""
    path = tmp_path / "with space.xml"
    path.write_bytes(BODY)
    result = fetch(path.as_uri())
    assert (str(path), BODY) == (result.url, result.body)


def test_local_validators_document_size_and_mtime(tmp_path: Path) -> None:
    """Local validators: etag local:<size>-<mtime_ns>, last_modified the mtime as an HTTP date."""
    path = tmp_path / "v.xml"
    path.write_bytes(BODY)
    stat = path.stat()
    expected = Validators(
        f"local:{stat.st_size}-{stat.st_mtime_ns}", formatdate(stat.st_mtime, usegmt=True)
    )
    assert expected == fetch(str(path)).validators


def test_missing_local_file_is_permanent(tmp_path: Path) -> None:
    """A path that does not exist is a permanent error naming the path."""
    missing = tmp_path / "nope.xml"
    error = fetch_error(str(missing))
    assert (PermanentFetchError, True) == (type(error), str(missing) in str(error))


def test_local_file_over_cap_is_permanent(tmp_path: Path) -> None:
    """The size cap applies to local files too."""
    path = tmp_path / "big.xml"
    path.write_bytes(b"x" * 2_000)
    error = fetch_error(str(path), FetchSettings(max_bytes=1_000))
    assert (PermanentFetchError, True) == (type(error), "body exceeds 1000 bytes cap" in str(error))
