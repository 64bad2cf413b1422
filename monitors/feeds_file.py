"""Adding feeds to feeds.yaml without losing what the file already says.

``claimwatch feeds import`` (OPML) and ``feeds discover --add`` offer feeds as ``Candidate``s.
``plan_additions`` decides, purely, which become entries (id from the title, unique against the
file's ids with -2, -3 ...), which are skipped and why (already in the file, offered twice, no
URL), and what is wrong (a URL the config would refuse). ``append_entries`` adds the new entries
as text after the last entry of the ``feeds:`` list, so comments, order and layout stay as the
user wrote them (a YAML dumper would drop the comments). ``replace_feeds_file`` checks the
result with the product's own loader before it atomically replaces the file: on any problem the
file is left as it was.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from pydantic import ValidationError

from monitors.config import FEEDS_FILE, FeedModel, load_feeds_file, resolve_source
from monitors.errors import ConfigError, PermanentFetchError
from monitors.ingest.fetch import local_path
from monitors.ingest.parse import canonical_link
from monitors.models import Feed

MAX_ID = 64  # monitors.config's id pattern: [a-z0-9][a-z0-9_-]{0,63}
_NOT_ID = re.compile(r"[^a-z0-9]+")
_UNSAFE_IN_URL = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
_REFERENCE = "${"  # monitors.config reads ${VAR} / ${secret:NAME} in every value


@dataclass(frozen=True)
class Candidate:
    """A feed offered for feeds.yaml, and where it came from (for messages)."""

    url: str
    title: str
    where: str  # e.g. "outline 3 (News/World)" or the discovered page


@dataclass(frozen=True)
class Skipped:
    url: str
    title: str
    reason: str


@dataclass(frozen=True)
class Plan:
    """What adding the candidates would do; nothing is written when ``problems`` is not empty."""

    added: tuple[Feed, ...]
    skipped: tuple[Skipped, ...]
    problems: tuple[str, ...]


# Where a local path (a URL without http(s)) points, resolved as feeds.yaml would resolve it;
# None when no such file exists. The caller supplies it, so the plan itself stays pure.
Locate = Callable[[str], str | None]


LOCAL_REFUSED = (
    "a local file: an OPML file from elsewhere may not point claimwatch at files on this "
    "machine (--allow-local-files to import it)"
)


def plan_additions(
    existing: Sequence[Feed],
    candidates: Iterable[Candidate],
    locate: Locate,
    allow_local: bool = False,
) -> Plan:
    """Decide which candidates become feeds, which are skipped and what is wrong with the rest.
    A local path is skipped unless ``allow_local``: the file came from someone else."""
    taken = {feed.id for feed in existing}
    known = {_url_key(feed.url, locate): feed.id for feed in existing}
    offered: dict[str, str] = {}  # url key -> where it was first offered
    added: list[Feed] = []
    skipped: list[Skipped] = []
    problems: list[str] = []
    for candidate in candidates:
        if not candidate.url:
            skipped.append(Skipped("", candidate.title, "no xmlUrl: not a feed"))
            continue
        problem = url_problem(candidate.url)
        if problem is None and not _is_web(candidate.url) and locate(candidate.url) is None:
            problem = "is neither an http(s) URL nor a file that exists"
        if problem:
            problems.append(f"{candidate.where}: url {candidate.url!r} {problem}")
            continue
        key = _url_key(candidate.url, locate)
        if not allow_local and not _is_web(candidate.url) and key not in known:
            skipped.append(Skipped(candidate.url, candidate.title, LOCAL_REFUSED))
        elif key in known:
            reason = f"already in {FEEDS_FILE} as {known[key]}"
            skipped.append(Skipped(candidate.url, candidate.title, reason))
        elif key in offered:
            skipped.append(Skipped(candidate.url, candidate.title, f"repeats {offered[key]}"))
        else:
            feed_id = unique_id(feed_id_for(candidate.title, candidate.url), taken)
            taken.add(feed_id)
            offered[key] = candidate.where
            added.append(Feed(id=feed_id, url=candidate.url, name=safe_name(candidate.title)))
    return Plan(tuple(added), tuple(skipped), tuple(problems))


def url_problem(url: str) -> str | None:
    """Why the config would refuse ``url`` (or read it as something else); None when it is fine.

    The scheme rule is the config's own (``FeedModel``); on top, an http(s) URL needs a host, and
    a URL holding whitespace, controls or ``${`` is refused: feeds.yaml would cut it, or read it
    as an environment reference and fetch whatever that variable holds."""
    if _UNSAFE_IN_URL.search(url):
        return "contains spaces or control characters"
    if _REFERENCE in url:
        return f"contains {_REFERENCE!r}, which {FEEDS_FILE} would read as an environment reference"
    try:
        FeedModel(id="x", url=url)
    except ValidationError as exc:
        return str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
    if _is_web(url):
        try:
            host = urlsplit(url).hostname
        except ValueError as exc:
            return f"is not a valid URL ({exc})"
        if not host:
            return "has no host"
    return None


def _is_web(url: str) -> bool:
    return url.split("://", 1)[0].lower() in ("http", "https") if "://" in url else False


def _url_key(url: str, locate: Locate) -> str:
    """Two spellings of one web feed (case of the host, default port, utm_ tags) are one feed,
    and so are two ways of naming one file (relative, absolute, ``file://``)."""
    return canonical_link(url) if _is_web(url) else locate(url) or url


def feed_id_for(title: str, url: str) -> str:
    """A config id from the title (accents folded, other characters as '-'); from the URL's host
    when the title has no Latin letters or digits; ``feed`` when neither has any."""
    for text in (title, _host(url)):
        slug = _slug(text)
        if slug:
            return slug
    return "feed"


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_ID.sub("-", folded.lower()).strip("-")[:MAX_ID].strip("-")


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def unique_id(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3`` ... : the first not taken, at most 64 characters."""
    if base not in taken:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = base[: MAX_ID - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        number += 1


def safe_name(title: str) -> str:
    """The title as a feed name the config keeps as written: ``${`` would be interpolated."""
    return title.replace(_REFERENCE, "$ {")


# --- writing feeds.yaml ---------------------------------------------------------------------------


def append_entries(text: str, feeds: Sequence[Feed]) -> str:
    """``text`` (a feeds.yaml) with ``feeds`` appended as entries of its ``feeds:`` list.

    Everything already in the file stays byte for byte; the entries go right after the list's
    last entry, indented like its first, so a ``fetch:`` block or comments after the list stay
    after it. An empty file becomes a ``feeds:`` list. Raises ``ConfigError`` when the file has
    no block-style ``feeds:`` list to extend."""
    if not text.strip():
        return text + "feeds:\n" + _entries(feeds, 2, 4)
    sequence = _feeds_sequence(text)
    dash, indent = _item_columns(text, sequence)
    at = _insertion_point(text, sequence.value[-1])
    head = text[:at] if at == 0 or text[at - 1] == "\n" else text[:at] + "\n"
    return head + _entries(feeds, dash, indent) + text[at:]


def _feeds_sequence(text: str) -> yaml.SequenceNode:
    problem = "no block list under 'feeds:' to add to; write the list as '- id: ...' entries"
    try:
        document = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise ConfigError(FEEDS_FILE, [f"invalid YAML: {exc}"]) from None
    if isinstance(document, yaml.MappingNode):
        for key, value in document.value:
            if key.value == "feeds" and isinstance(value, yaml.SequenceNode):
                if value.flow_style or not value.value:
                    break
                return value
    raise ConfigError(FEEDS_FILE, [problem])


def _item_columns(text: str, sequence: yaml.SequenceNode) -> tuple[int, int]:
    """The column of the first entry's '-' and of its first key."""
    first = sequence.value[0]
    dash_at = text.rindex("-", 0, first.start_mark.index)
    dash = dash_at - (text.rfind("\n", 0, dash_at) + 1)
    same_line = "\n" not in text[dash_at : first.start_mark.index]
    return dash, first.start_mark.column if same_line else dash + 2


def _insertion_point(text: str, node: yaml.Node) -> int:
    """Where the text of ``node`` (the last entry) ends: the end of the line its last value is
    on (keeping a comment there with it), or the start of a line for a block scalar."""
    last = _last_leaf(node)
    if last.end_mark.column == 0:
        return int(last.end_mark.index)
    newline = text.find("\n", last.end_mark.index)
    return len(text) if newline < 0 else newline + 1


def _last_leaf(node: yaml.Node) -> yaml.Node:
    while isinstance(node, yaml.CollectionNode) and not node.flow_style and node.value:
        last: Any = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    return node


def _entries(feeds: Sequence[Feed], dash: int, indent: int) -> str:
    lines = []
    for feed in feeds:
        lines.append(f"{' ' * dash}- id: {feed.id}")
        if feed.name:
            lines.append(f"{' ' * indent}name: {_quoted(feed.name)}")
        lines.append(f"{' ' * indent}url: {_quoted(feed.url)}")
    return "\n".join(lines) + "\n"


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar: nothing in the value can end it or start a structure."""
    dumped = yaml.safe_dump(value, default_style='"', allow_unicode=True, width=1 << 30)
    return dumped.rstrip("\n")


def replace_feeds_file(path: Path, text: str, expected: Sequence[Feed]) -> None:
    """Write ``text`` as ``path`` if the product's loader reads exactly ``expected`` from it.

    The text is written to a temporary file beside ``path`` (so relative paths resolve the same
    and the final rename is atomic), loaded with ``load_feeds_file``, and only then renamed over
    ``path``. Any problem leaves ``path`` untouched and raises ``ConfigError``."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        try:
            loaded = load_feeds_file(temporary)
        except ConfigError as exc:
            problems = [f"the new file would not load: {p}" for p in exc.problems]
            raise ConfigError(FEEDS_FILE, problems) from None
        if [(f.id, f.name) for f in loaded] != [(f.id, f.name) for f in expected]:
            raise ConfigError(
                FEEDS_FILE, ["the new entries did not read back as written; nothing was changed"]
            )
        if path.exists():
            shutil.copymode(path, temporary)
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def add_feeds(
    directory: Path,
    candidates: Iterable[Candidate],
    *,
    source: str,
    dry_run: bool = False,
    allow_local: bool = False,
) -> Plan:
    """Plan the candidates against ``directory``'s feeds.yaml and, unless ``dry_run``, append
    the new feeds to it (created when missing). Raises ``ConfigError`` naming ``source`` (where
    the candidates came from) with every problem, having written nothing."""
    path = directory / FEEDS_FILE
    existing = load_feeds_file(path) if path.exists() else ()
    plan = plan_additions(existing, candidates, locator(directory), allow_local)
    if plan.problems:
        raise ConfigError(source, [*plan.problems, f"nothing was written to {path}"])
    if plan.added and not dry_run:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        replace_feeds_file(path, append_entries(text, plan.added), [*existing, *plan.added])
    return plan


def locator(directory: Path) -> Locate:
    """Where a local feed URL points, read as a feeds.yaml in ``directory`` reads it."""

    def locate(url: str) -> str | None:
        try:
            path = local_path(Feed(id="local", url=resolve_source(url, directory)))
        except PermanentFetchError:  # a file:// URL on another host
            return None
        return str(path.resolve()) if path.is_file() else None

    return locate
