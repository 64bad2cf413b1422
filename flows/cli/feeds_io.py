"""``feeds import|export|discover``: feeds in and out of the config's feeds.yaml.

The decisions live in ``monitors.opml``, ``monitors.discover`` and ``monitors.feeds_file``; this
module reads the arguments, calls them and prints what happened. Names and URLs came from an OPML
file or a web page, so they reach the terminal only as ``Text`` cells.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.text import Text

from flows.cli.output import cell, emit, make_console
from monitors.config import FEEDS_FILE, load_feeds_file, load_fetch_settings
from monitors.discover import Discovery, discover
from monitors.errors import ConfigError
from monitors.feeds_file import Candidate, Plan, add_feeds
from monitors.ingest.fetch import FetchSettings
from monitors.opml import read_opml, write_opml
from monitors.paths import CONFIG_ENV, DEMO_CONFIG_DIR

ACTIONS = ("list", "import", "export", "discover")


def add_arguments(feeds: argparse.ArgumentParser) -> None:
    """The arguments of the import, export and discover actions."""
    feeds.add_argument(
        "target", nargs="?", metavar="FILE|URL", help="import: the OPML file; discover: the page"
    )
    feeds.add_argument(
        "--dry-run", action="store_true", help="import, discover --add: say what would be added"
    )
    feeds.add_argument(
        "--allow-local-files",
        action="store_true",
        help="import: also add outlines that name files on this machine (skipped by default)",
    )
    feeds.add_argument("-o", "--output", metavar="FILE", help="export: write the OPML to FILE")
    feeds.add_argument("--add", action="store_true", help="discover: add the first feed found")
    feeds.add_argument(
        "--pick", type=int, metavar="N", help="discover --add: add the N-th feed found instead"
    )


def run(args: argparse.Namespace) -> int:
    """Dispatch ``feeds import|export|discover``."""
    handlers = {"import": _import, "export": _export, "discover": _discover}
    return handlers[args.action](args)


# --- import --------------------------------------------------------------------------------------


def _import(args: argparse.Namespace) -> int:
    source = _needed(args, "import", "FILE.opml")
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise ConfigError(source, [f"cannot read it: {exc.strerror or exc}"]) from None
    outlines = read_opml(source, data)
    candidates = [
        Candidate(o.url, o.title, f"outline {o.position}" + (f" ({o.folder})" if o.folder else ""))
        for o in outlines
    ]
    directory = _writable_config(args.config)
    plan = add_feeds(
        directory, candidates, source=source, dry_run=args.dry_run,
        allow_local=args.allow_local_files,
    )  # fmt: skip
    _print_plan(plan, directory / FEEDS_FILE, args.dry_run, args.json)
    return 0


def _print_plan(plan: Plan, path: Path, dry_run: bool, as_json: bool, **extra: Any) -> None:
    if as_json:
        emit(
            {
                **extra,
                "file": str(path),
                "dry_run": dry_run,
                "added": [{"id": f.id, "name": f.name, "url": f.url} for f in plan.added],
                "skipped": [
                    {"url": s.url, "title": s.title, "reason": s.reason} for s in plan.skipped
                ],
            }
        )
        return
    console = make_console()
    verb = "would add" if dry_run else "added"
    console.print(
        Text(f"{verb} {len(plan.added)}, skipped {len(plan.skipped)}: ", style="bold")
        + cell(str(path))
        + Text(" (dry run: nothing written)" if dry_run else "")
    )
    for feed in plan.added:
        console.print(Text("  + ", style="green") + cell(f"{feed.id}  {feed.name}  {feed.url}"))
    for skip in plan.skipped:
        console.print(
            Text("  - ", style="yellow") + cell(f"{skip.title or skip.url}: {skip.reason}")
        )


# --- export --------------------------------------------------------------------------------------


def _export(args: argparse.Namespace) -> int:
    directory = _config_dir(args.config)
    feeds = load_feeds_file(directory / FEEDS_FILE)
    document = write_opml(feeds, f"claimwatch feeds ({directory})")
    if args.output is None:
        if args.json:
            problem = "--json needs -o FILE (without it the OPML itself is printed)"
            raise ConfigError("feeds export", [problem])
        print(document.decode("utf-8"), end="")
        return 0
    _write_atomically(Path(args.output), document)
    if args.json:
        emit({"file": args.output, "feeds": len(feeds)})
    else:
        make_console().print(Text(f"wrote {len(feeds)} feeds as OPML 2.0 to ") + cell(args.output))
    return 0


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise ConfigError(str(path), [f"cannot write it: {exc.strerror or exc}"]) from None


# --- discover ------------------------------------------------------------------------------------


def _discover(args: argparse.Namespace) -> int:
    url = _needed(args, "discover", "URL")
    directory = _config_dir(args.config)
    found = discover(url, _fetch_settings(directory))
    if not (args.add or args.pick):
        _print_discovery(found, args.json)
        return 0
    chosen = _chosen(found, args.pick or 1)
    directory = _writable_config(args.config)
    plan = add_feeds(directory, [chosen], source=found.url, dry_run=args.dry_run)
    _print_plan(plan, directory / FEEDS_FILE, args.dry_run, args.json, page=found.url)
    return 0


def _fetch_settings(directory: Path) -> FetchSettings:
    """The config's ``fetch:`` settings (caps, timeouts, TLS); the defaults without a feeds.yaml."""
    path = directory / FEEDS_FILE
    return load_fetch_settings(path) if path.exists() else FetchSettings()


def _chosen(found: Discovery, pick: int) -> Candidate:
    if found.is_feed:
        return Candidate(found.url, "", found.url)
    if not 1 <= pick <= len(found.alternates):
        raise ConfigError(
            found.url,
            [f"the page links to {len(found.alternates)} feed(s); --pick {pick} names none"],
        )
    alternate = found.alternates[pick - 1]
    return Candidate(alternate.url, alternate.title, f"feed {pick} of {found.url}")


def _print_discovery(found: Discovery, as_json: bool) -> None:
    if as_json:
        emit(
            {
                "url": found.url,
                "is_feed": found.is_feed,
                "feeds": [
                    {"url": a.url, "title": a.title, "type": a.kind} for a in found.alternates
                ],
            }
        )
        return
    console = make_console()
    if found.is_feed:
        console.print(cell(found.url) + Text(" is a feed itself: add it with --add"))
        return
    if not found.alternates:
        console.print(cell(found.url) + Text(" links to no RSS, Atom or JSON feed"))
        return
    console.print(Text(f"{len(found.alternates)} feed(s) linked from ") + cell(found.url))
    for number, alternate in enumerate(found.alternates, start=1):
        line = f"{alternate.title or '(untitled)'} [{alternate.kind}] {alternate.url}"
        console.print(Text(f"  {number}. ") + cell(line))


# --- where feeds.yaml is -------------------------------------------------------------------------


def _needed(args: argparse.Namespace, action: str, what: str) -> str:
    if not args.target:
        raise ConfigError(f"feeds {action}", [f"needs {what}: claimwatch feeds {action} {what}"])
    return str(args.target)


def _config_dir(config: str) -> Path:
    directory = Path(config).expanduser()
    if not directory.is_dir():
        raise ConfigError(config, ["--config must be a directory holding feeds.yaml"])
    return directory


def _writable_config(config: str) -> Path:
    """The config directory to add feeds to: never the bundled demo (part of the install)."""
    directory = _config_dir(config)
    if directory.resolve() == DEMO_CONFIG_DIR.resolve():
        raise ConfigError(
            config,
            [f"is the bundled demo: pass --config DIR (or set {CONFIG_ENV}) to add feeds to yours"],
        )
    return directory


def check_usage(args: argparse.Namespace) -> None:
    """Options that belong to another action are mistakes, not silently ignored."""
    takes_target = args.action in ("import", "discover")
    wrong: Sequence[tuple[bool, str]] = (
        (args.action != "list" and args.check, "--check belongs to 'feeds' (list)"),
        (not takes_target and args.target is not None, "takes no FILE|URL"),
        (args.action != "export" and args.output is not None, "-o belongs to 'feeds export'"),
        (args.action != "import" and args.allow_local_files, "--allow-local-files is import's"),
        (args.action != "discover" and (args.add or args.pick), "--add/--pick belong to discover"),
        (not takes_target and args.dry_run, "--dry-run belongs to import and discover --add"),
    )
    problems = [message for broken, message in wrong if broken]
    if problems:
        raise ConfigError(f"feeds {args.action}", problems)
