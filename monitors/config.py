"""Load and validate the user's configuration: claims, feeds and alert channels.

A configuration is a directory holding ``claims.yaml``, ``feeds.yaml`` and (optionally)
``channels.yaml``. Pydantic validates each entry; every problem in a file is collected and raised as
one ``ConfigError`` naming file, entry and field, so a user fixes everything in one pass.

``${VAR}`` and ``${VAR:-default}`` in any string value are replaced from the environment before
validation, so secrets stay out of the files. ``${CLAIMWATCH_HOME}`` defaults to the data directory.
``${secret:NAME}`` is read from the secret store the caller passes to ``load_config``, and each
channel's settings are validated by the model its type registers. Commands and flows load through
``flows.config.load_config``, which passes Prefect Secret blocks and ``alerts.channel``'s registry:
this module imports neither Prefect nor ``alerts``.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from monitors.coverage import CoverageSettings
from monitors.errors import ConfigError
from monitors.feedstate import DEFAULT_HEALTH, Backoff, HealthPolicy
from monitors.ingest.fetch import FetchSettings
from monitors.models import Claim, Feed
from monitors.paths import data_dir
from monitors.policy import AlertPolicy

CLAIMS_FILE = "claims.yaml"
FEEDS_FILE = "feeds.yaml"
CHANNELS_FILE = "channels.yaml"

_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
# One pass over ${secret:NAME}, ${VAR} and ${VAR:-default}: a value read from one is never expanded
# again, so a secret that happens to contain "${...}" stays as it is.
_REF = re.compile(
    r"\$\{(?:secret:(?P<secret>[A-Za-z0-9][A-Za-z0-9_-]*)"
    r"|(?P<var>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?)\}"
)

# Where ${secret:NAME} values come from: name -> value, raising LookupError (with a message that
# says what to create) when there is no such secret.
SecretSource = Callable[[str], str]
_SECRETS: ContextVar[SecretSource | None] = ContextVar("claimwatch_secrets", default=None)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ClaimModel(_Strict):
    id: str = Field(pattern=_ID_PATTERN)
    statement: str = Field(min_length=1)
    aliases: list[str] = []
    confirm_cues: list[str] = []
    contradict_cues: list[str] = []
    threshold: float = 85.0
    cooldown: float = 0.0  # seconds; written as 90, "15m", "2h", "1d"
    alert_threshold: float | None = None  # None: monitors.policy.DEFAULT_ALERT_THRESHOLD

    _cooldown = field_validator("cooldown", mode="before")(lambda cls, v: parse_duration(v))

    @field_validator("threshold")
    @classmethod
    def _threshold_in_range(cls, value: float) -> float:
        if not 0 <= value <= 100:
            raise ValueError(f"must be between 0 and 100 (got {value:g})")
        return value

    @field_validator("alert_threshold", mode="before")
    @classmethod
    def _alert_threshold_not_a_boolean(cls, value: Any) -> Any:
        # YAML reads `no`/`off` as false, which pydantic would take as 0: every verdict alerts.
        if isinstance(value, bool):
            raise ValueError(f"must be a number between 0 and 1 (got {value!r})")
        return value

    @field_validator("alert_threshold")
    @classmethod
    def _alert_threshold_in_range(cls, value: float | None) -> float | None:
        if value is not None and not 0 <= value <= 1:
            # Next to `threshold` (0-100) a percentage is the likely slip: say which scale.
            raise ValueError(
                f"must be between 0 and 1 (got {value:g}); it is the engine's score, "
                "e.g. 0.6, not a percentage like `threshold`"
            )
        return value

    @field_validator("aliases", "confirm_cues", "contradict_cues")
    @classmethod
    def _no_blank_phrases(cls, values: list[str]) -> list[str]:
        blank = [i for i, v in enumerate(values) if not v.strip()]
        if blank:
            raise ValueError(f"entry {blank[0]} is empty; remove it or write a phrase")
        return [v.strip() for v in values]

    def to_claim(self) -> Claim:
        return Claim(
            id=self.id,
            statement=self.statement,
            aliases=tuple(self.aliases),
            confirm_cues=tuple(self.confirm_cues),
            contradict_cues=tuple(self.contradict_cues),
            threshold=self.threshold,
            cooldown_s=self.cooldown,
            alert_threshold=self.alert_threshold,
        )


class CoverageModel(_Strict):
    """``coverage:`` in claims.yaml: when many reports decide nothing (``monitors.coverage``)."""

    window_hours: float = CoverageSettings().window.total_seconds() / 3600
    min_reports: int = CoverageSettings().min_reports
    min_outlets: int = CoverageSettings().min_outlets

    @field_validator("window_hours", "min_reports", "min_outlets", mode="before")
    @classmethod
    def _not_a_boolean(cls, value: Any) -> Any:
        # YAML reads `yes`/`no` as booleans, which pydantic would take as 1 and 0.
        if isinstance(value, bool):
            raise ValueError(f"must be a number, e.g. 24 or 5 (got {value!r})")
        return value

    @field_validator("window_hours")
    @classmethod
    def _positive_window(cls, value: float) -> float:
        if value <= 0:
            raise ValueError(
                f"must be a positive number of hours, e.g. 24 (got {value:g}); "
                "it is how far back reports count"
            )
        return value

    @field_validator("min_reports", "min_outlets")
    @classmethod
    def _at_least_one(cls, value: int) -> int:
        if value < 1:
            raise ValueError(f"must be a whole number of at least 1 (got {value})")
        return value

    def settings(self) -> CoverageSettings:
        return CoverageSettings(
            window=timedelta(hours=self.window_hours),
            min_reports=self.min_reports,
            min_outlets=self.min_outlets,
        )


class FeedModel(_Strict):
    id: str = Field(pattern=_ID_PATTERN)
    url: str = Field(min_length=1)
    name: str = ""

    @field_validator("url")
    @classmethod
    def _supported_scheme(cls, value: str) -> str:
        scheme = value.split("://", 1)[0].lower() if "://" in value else ""
        if scheme and scheme not in ("http", "https", "file"):
            raise ValueError(f"must be an http(s) URL or a file path (got scheme '{scheme}')")
        return value


class FetchModel(_Strict):
    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=30.0, gt=0)
    deadline: float = Field(default=60.0, gt=0)
    poll_budget: float = Field(default=600.0, gt=0)
    max_bytes: int = Field(default=10_000_000, gt=0)
    concurrency: int = Field(default=8, ge=1, le=64)
    verify_tls: bool = True
    # A failing feed's first wait (doubling with every failure) and the most it ever waits.
    backoff: float = DEFAULT_HEALTH.backoff.base.total_seconds()
    backoff_max: float = DEFAULT_HEALTH.backoff.cap.total_seconds()

    _durations = field_validator("backoff", "backoff_max", mode="before")(
        lambda cls, v: parse_duration(v)
    )

    @field_validator("backoff")
    @classmethod
    def _positive_backoff(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be a positive duration like '5m' (0 would re-poll at once)")
        return value

    @model_validator(mode="after")
    def _cap_not_below_first_wait(self) -> FetchModel:
        if self.backoff_max < self.backoff:
            raise ValueError(
                f"backoff_max ({self.backoff_max:g} s) must be at least backoff "
                f"({self.backoff:g} s), the first wait"
            )
        return self

    def settings(self) -> FetchSettings:
        return FetchSettings(**self.model_dump(exclude={"backoff", "backoff_max"}))

    def backoff_policy(self) -> Backoff:
        base, cap = timedelta(seconds=self.backoff), timedelta(seconds=self.backoff_max)
        return Backoff(base=base, cap=cap)


class FeedHealthModel(_Strict):
    """``feed_health:`` in channels.yaml: who hears about failing feeds, and after how long."""

    channel: str | None = None  # a channel's name; None: health only in `claimwatch feeds`
    alert_after: float = DEFAULT_HEALTH.alert_after.total_seconds()

    _after = field_validator("alert_after", mode="before")(lambda cls, v: parse_duration(v))

    @field_validator("alert_after")
    @classmethod
    def _positive_period(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be a positive duration like '6h' (how long a feed may fail)")
        return value


class ChannelModel(BaseModel):
    """Common fields; the rest is validated by the channel type's own settings model."""

    model_config = ConfigDict(extra="allow")
    name: str = Field(pattern=_ID_PATTERN)
    type: str
    cooldown: float = 0.0  # seconds: hold back non-transition alerts on this channel
    digest: float | None = None  # None: one message per alert; 0: one per run; >0: per period

    _cooldown = field_validator("cooldown", mode="before")(lambda cls, v: parse_duration(v))

    @field_validator("digest", mode="before")
    @classmethod
    def _digest(cls, value: Any) -> float | None:
        if value in (None, False, "off", "none"):
            return None
        return 0.0 if value == "run" else parse_duration(value)


class PolicyModel(_Strict):
    strong_score: float = Field(default=0.85, ge=0, le=1)
    duplicate_window: float = 48 * 3600.0
    duplicate_similarity: float = Field(default=90.0, ge=50, le=100)

    _window = field_validator("duplicate_window", mode="before")(lambda cls, v: parse_duration(v))


class DeliveryModel(_Strict):
    """``delivery:`` in channels.yaml: how long one delivery may spend (``alerts/budget.py``)."""

    per_channel: float = 120.0  # sending time one channel may use in one delivery
    per_run: float = 300.0  # sending time of the whole delivery
    timeouts_per_channel: int = Field(default=2, ge=1)  # a channel's timeouts before it stops

    _durations = field_validator("per_channel", "per_run", mode="before")(
        lambda cls, v: parse_duration(v)
    )

    @field_validator("per_channel", "per_run")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be a positive duration like '2m' (0 would never send)")
        return value


COMMON_CHANNEL_FIELDS = ("name", "type", "cooldown", "digest")


@dataclass(frozen=True)
class ChannelSpec:
    name: str
    type: str
    settings: dict[str, Any]
    cooldown_s: float = 0.0
    digest_s: float | None = None  # None: off; 0: one digest per run; >0: at most one per period


@dataclass(frozen=True)
class Config:
    claims: tuple[Claim, ...]
    feeds: tuple[Feed, ...]
    channels: tuple[ChannelSpec, ...]
    fetch: FetchSettings = field(default_factory=FetchSettings)
    source: Path | None = None
    policy: PolicyModel = field(default_factory=PolicyModel)
    backoff: Backoff = field(default_factory=Backoff)
    feed_health: FeedHealthModel = field(default_factory=FeedHealthModel)
    delivery: DeliveryModel = field(default_factory=DeliveryModel)
    notes: tuple[str, ...] = ()  # what the config leaves to defaults, said out loud
    coverage: CoverageSettings = field(default_factory=CoverageSettings)

    def health_policy(self) -> HealthPolicy:
        """How feeds back off and when the operator channel hears about them."""
        return HealthPolicy(
            backoff=self.backoff,
            alert_after=timedelta(seconds=self.feed_health.alert_after),
            channel=self.feed_health.channel,
        )

    def alert_policy(self) -> AlertPolicy:
        return AlertPolicy(
            strong_score=self.policy.strong_score,
            duplicate_window=timedelta(seconds=self.policy.duplicate_window),
            duplicate_similarity=self.policy.duplicate_similarity,
            channel_cooldowns={
                c.name: timedelta(seconds=c.cooldown_s) for c in self.channels if c.cooldown_s
            },
        )

    def claim(self, claim_id: str) -> Claim:
        for claim in self.claims:
            if claim.id == claim_id:
                return claim
        known = ", ".join(c.id for c in self.claims)
        raise ConfigError("claims", [f"no claim with id '{claim_id}' (known: {known})"])


# Channel type -> its settings model; ``alerts.channel.CHANNEL_TYPES`` is the product's registry.
ChannelTypes = Mapping[str, type[BaseModel]]


def load_config(
    directory: Path | str, *, channel_types: ChannelTypes, secrets: SecretSource | None = None
) -> Config:
    """Load claims, feeds and channels from a config directory; raise one ConfigError per file.

    ``channel_types`` validates each channel's own settings (``flows.config.load_config`` passes
    the product's registry). ``secrets`` resolves ``${secret:NAME}`` references; without it they
    are reported as problems.
    """
    token = _SECRETS.set(secrets)
    try:
        return _load_config(Path(directory).expanduser(), channel_types)
    finally:
        _SECRETS.reset(token)


def _load_config(root: Path, channel_types: ChannelTypes) -> Config:
    if not root.is_dir():
        raise ConfigError(
            str(root), ["not a directory; expected one holding claims.yaml and feeds.yaml"]
        )
    # Every file is read even when an earlier one is broken: one pass names every problem.
    failures: list[ConfigError] = []
    claims_file = _collect(failures, lambda: load_claims_file(root / CLAIMS_FILE))
    loaded_feeds = _collect(failures, lambda: _load_feeds(root / FEEDS_FILE))
    channels_path = root / CHANNELS_FILE
    notes: tuple[str, ...] = ()
    loaded: _Channels | None
    if channels_path.exists():
        loaded = _collect(failures, lambda: _load_channels(channels_path, channel_types))
    else:
        loaded = (_default_channels(), None, None, None)
        notes = (f"no {CHANNELS_FILE} in {root}: alerts are printed to the console only",)
    if failures or claims_file is None or loaded_feeds is None or loaded is None:
        raise _combined(root, failures)
    claims, coverage = claims_file
    feeds, fetch = loaded_feeds
    channels, policy, health, delivery = loaded
    return Config(
        claims=claims,
        feeds=feeds,
        channels=channels,
        fetch=fetch.settings(),
        source=root,
        policy=policy or PolicyModel(),
        backoff=fetch.backoff_policy(),
        feed_health=health or FeedHealthModel(),
        delivery=delivery or DeliveryModel(),
        notes=notes,
        coverage=coverage,
    )


_Channels = tuple[
    tuple[ChannelSpec, ...], PolicyModel | None, FeedHealthModel | None, DeliveryModel | None
]


def _collect(failures: list[ConfigError], load: Callable[[], T]) -> T | None:
    try:
        return load()
    except ConfigError as exc:
        failures.append(exc)
        return None


def _combined(root: Path, failures: list[ConfigError]) -> ConfigError:
    """One error for every broken file; a single broken file reads as before."""
    if len(failures) == 1:
        return failures[0]
    problems = [f"{f.source}: {problem}" for f in failures for problem in f.problems]
    return ConfigError(f"{root} ({len(failures)} files)", problems)


def load_claims(path: Path | str) -> tuple[Claim, ...]:
    """Load a claims file: a top-level ``claims:`` list."""
    return load_claims_file(path)[0]


def load_claims_file(path: Path | str) -> tuple[tuple[Claim, ...], CoverageSettings]:
    """A claims file's claims and its ``coverage:`` settings (defaults when it has none)."""
    path = Path(path)
    document, problems = _read_document(path)
    _raise_if(path, problems)
    entries = _list_section(document, "claims", problems)
    models = _validate_entries(ClaimModel, entries, "claims", problems)
    problems += _duplicate_ids("claims", entries)
    coverage = _validate_section(document, "coverage", CoverageModel, problems)
    _raise_if(path, problems)
    return tuple(m.to_claim() for _, m in models), (coverage or CoverageModel()).settings()


def _load_feeds(path: Path) -> tuple[tuple[Feed, ...], FetchModel]:
    document, problems = _read_document(path)
    entries = _list_section(document, "feeds", problems) if document is not None else []
    models = _validate_entries(FeedModel, entries, "feeds", problems)
    problems += _duplicate_ids("feeds", entries)
    fetch = _validate_fetch(document, problems)
    _raise_if(path, problems)
    feeds = tuple(
        Feed(id=m.id, url=resolve_source(m.url, path.parent), name=m.name) for _, m in models
    )
    problems += _schemeless(models, feeds)
    _raise_if(path, problems)
    return feeds, fetch


def load_feeds_file(path: Path | str) -> tuple[Feed, ...]:
    """The feeds of one feeds file, validated as a run reads them (relative paths resolved
    against its directory); raises ``ConfigError``. ``claimwatch feeds import`` checks the file
    it is about to write with this before it replaces feeds.yaml."""
    return _load_feeds(Path(path))[0]


def load_fetch_settings(path: Path | str) -> FetchSettings:
    """The ``fetch:`` settings of a feeds file (defaults for what it leaves out)."""
    return _load_feeds(Path(path))[1].settings()


def _schemeless(models: list[tuple[int, FeedModel]], feeds: tuple[Feed, ...]) -> list[str]:
    """A URL without a scheme must be a file that exists: "example.com/rss" is a typo for
    https://example.com/rss, not a relative path."""
    out = []
    for (index, model), feed in zip(models, feeds, strict=True):
        if "://" not in model.url and not Path(feed.url).is_file():
            out.append(
                f"feeds[{index}].url: '{model.url}' has no scheme and is no file here "
                f"({feed.url}); write https://{model.url.lstrip('/')} for a web feed"
            )
    return out


def _validate_fetch(document: Any, problems: list[str]) -> FetchModel:
    return _validate_section(document, "fetch", FetchModel, problems) or FetchModel()


def _load_channels(
    path: Path, channel_types: ChannelTypes
) -> tuple[tuple[ChannelSpec, ...], PolicyModel, FeedHealthModel, DeliveryModel]:
    document, problems = _read_document(path)
    entries = _list_section(document, "channels", problems) if document is not None else []
    specs: list[tuple[int, ChannelSpec]] = []
    for index, entry in _interpolated(entries, "channels", problems):
        spec = _validate_channel(index, entry, channel_types, problems)
        if spec is not None:
            specs.append((index, spec))
    problems += _duplicate_ids("channels", entries, what="name")
    policy = _validate_section(document, "policy", PolicyModel, problems)
    health = _validate_section(document, "feed_health", FeedHealthModel, problems)
    delivery = _validate_section(document, "delivery", DeliveryModel, problems)
    problems += _unknown_health_channel(health, entries)
    _raise_if(path, problems)
    return (
        tuple(s for _, s in specs),
        policy or PolicyModel(),
        health or FeedHealthModel(),
        delivery or DeliveryModel(),
    )


def _unknown_health_channel(health: FeedHealthModel | None, entries: list[Any]) -> list[str]:
    """The operator channel must be one of the file's channels (checked on the raw entries, so
    a channel with another problem is not reported twice)."""
    if health is None or health.channel is None:
        return []
    names = [e.get("name") for e in entries if isinstance(e, dict)]
    if health.channel in names:
        return []
    known = ", ".join(str(n) for n in names if isinstance(n, str)) or "none"
    return [f"feed_health.channel: no channel named '{health.channel}' (known: {known})"]


def _validate_section(document: Any, section: str, model: type[M], problems: list[str]) -> M | None:
    raw = document.get(section) if isinstance(document, dict) else None
    if raw is None:
        return None
    try:
        return model.model_validate(_interpolate(raw, section, problems))
    except ValidationError as exc:
        problems += _describe(exc, section, model)
        return None


def _validate_channel(
    index: int, entry: Any, types: ChannelTypes, problems: list[str]
) -> ChannelSpec | None:
    where = f"channels[{index}]"
    try:
        common = ChannelModel.model_validate(entry)
    except ValidationError as exc:
        problems += _describe(exc, where, ChannelModel)
        return None
    settings_model = types.get(common.type)
    if settings_model is None:
        known = ", ".join(sorted(types))
        problems.append(f"{where}.type: unknown channel type '{common.type}' (known: {known})")
        return None
    settings = {k: v for k, v in entry.items() if k not in COMMON_CHANNEL_FIELDS}
    try:
        validated = settings_model.model_validate(settings)
    except ValidationError as exc:
        problems += _describe(exc, where, settings_model)
        return None
    return ChannelSpec(
        name=common.name,
        type=common.type,
        settings=dict(validated),
        cooldown_s=common.cooldown,
        digest_s=common.digest,
    )


def _default_channels() -> tuple[ChannelSpec, ...]:
    return (ChannelSpec(name="console", type="console", settings={}),)


def resolve_source(url: str, base: Path) -> str:
    """Relative local paths are relative to the file that names them, not to the working dir."""
    if "://" in url:
        return url
    path = Path(url).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())


# --- durations ------------------------------------------------------------------------------------

_DURATION = re.compile(
    r"^\s*(?:(\d+(?:\.\d+)?)d)?\s*(?:(\d+(?:\.\d+)?)h)?\s*"
    r"(?:(\d+(?:\.\d+)?)m)?\s*(?:(\d+(?:\.\d+)?)s)?\s*$"
)


def parse_duration(value: Any) -> float:
    """Seconds from 90, "90s", "15m", "2h", "1d" or "1h30m"; raises ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"must be a duration like 90, '15m', '2h' or '1d' (got {value!r})")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match or not any(match.groups()):
            raise ValueError(f"must be a duration like 90, '15m', '2h' or '1d' (got {value!r})")
        days, hours, minutes, secs = (float(g) if g else 0.0 for g in match.groups())
        seconds = ((days * 24 + hours) * 60 + minutes) * 60 + secs
    if seconds < 0:
        raise ValueError(f"must not be negative (got {value!r})")
    return seconds


# --- reading YAML -------------------------------------------------------------------------------

# libyaml's safe loader where PyYAML was built with it (the wheels are): the same documents and
# errors, and the bench's 1,000-feed feeds.yaml loads in 0.02 s instead of 0.12 s.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_document(path: Path) -> tuple[Any, list[str]]:
    if not path.is_file():
        raise ConfigError(str(path), [f"file not found; expected a YAML file at {path}"])
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER), []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [f"{where}invalid YAML: {problem}"]
    except UnicodeDecodeError as exc:
        return None, [f"not UTF-8 text ({exc.reason} at byte {exc.start})"]


def _list_section(document: Any, section: str, problems: list[str]) -> list[Any]:
    if not isinstance(document, dict) or section not in document:
        problems.append(f"{section}: missing; the file must have a top-level '{section}:' list")
        return []
    entries = document[section]
    if not isinstance(entries, list):
        problems.append(f"{section}: must be a list (got {type(entries).__name__})")
        return []
    if not entries:
        problems.append(f"{section}: is empty; add at least one entry")
    return entries


M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


def _validate_entries(
    model: type[M], entries: list[Any], section: str, problems: list[str]
) -> list[tuple[int, M]]:
    valid: list[tuple[int, M]] = []
    for index, entry in _interpolated(entries, section, problems):
        where = f"{section}[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping of fields (got {type(entry).__name__})")
            continue
        try:
            valid.append((index, model.model_validate(entry)))
        except ValidationError as exc:
            problems += _describe(exc, where, model)
    return valid


def _interpolated(
    entries: list[Any], section: str, problems: list[str]
) -> Iterable[tuple[int, Any]]:
    for index, entry in enumerate(entries):
        yield index, _interpolate(entry, f"{section}[{index}]", problems)


def _duplicate_ids(section: str, entries: list[Any], what: str = "id") -> list[str]:
    """Repeated ids, checked on the raw entries so an otherwise broken entry still counts."""
    first: dict[str, int] = {}
    problems = []
    for index, entry in enumerate(entries):
        value = entry.get(what) if isinstance(entry, dict) else None
        if not isinstance(value, str):
            continue
        if value in first:
            problems.append(
                f"{section}[{index}].{what}: duplicate {what} '{value}' "
                f"(first used at {section}[{first[value]}])"
            )
        else:
            first[value] = index
    return problems


def _raise_if(path: Path, problems: list[str]) -> None:
    if problems:
        raise ConfigError(path.name if path.name else str(path), problems)


# --- environment interpolation --------------------------------------------------------------------


def _interpolate(value: Any, where: str, problems: list[str]) -> Any:
    if isinstance(value, dict):
        return {k: _interpolate(v, f"{where}.{k}", problems) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(v, f"{where}[{i}]", problems) for i, v in enumerate(value)]
    if isinstance(value, str):
        return _REF.sub(_replacer(where, problems), value)
    return value


def _replacer(where: str, problems: list[str]) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        if match.group("secret") is not None:
            return _secret(match.group("secret"), where, problems)
        name, default = match.group("var"), match.group("default")
        value = os.environ.get(name)
        if value is None and name == "CLAIMWATCH_HOME":
            value = str(data_dir())
        if value is None:
            if default is not None:
                return default
            problems.append(f"{where}: environment variable {name} is not set")
            return ""
        return value

    return replace


def _secret(name: str, where: str, problems: list[str]) -> str:
    """The secret's value; problems name the secret, never a value."""
    source = _SECRETS.get()
    if source is None:
        problems.append(
            f"{where}: ${{secret:{name}}} needs a secret store: load this config with claimwatch's "
            "commands or flows (they read Prefect Secret blocks), or use ${VAR} instead"
        )
        return ""
    try:
        return source(name)
    except LookupError as exc:
        problems.append(f"{where}: {exc.args[0] if exc.args else exc}")
        return ""


# --- messages -------------------------------------------------------------------------------------


def _describe(exc: ValidationError, where: str, model: type[BaseModel]) -> list[str]:
    """Turn pydantic's errors into ``where.field: message`` lines a user can act on."""
    lines = []
    for error in exc.errors():
        loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])
        lines.append(f"{where}{loc}: {_message(error, model)}")
    return lines


def _message(error: Any, model: type[BaseModel]) -> str:
    kind, msg = str(error["type"]), str(error["msg"])
    got = error.get("input")
    if kind == "extra_forbidden":
        field_name = str(error["loc"][-1])
        close = difflib.get_close_matches(field_name, list(model.model_fields), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown field{hint}"
    if kind == "missing":
        return "required field is missing"
    if kind == "string_pattern_mismatch":
        return (
            f"must be lower-case letters, digits, '-' or '_', at most 64 characters (got {got!r})"
        )
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    text = f"{msg[0].lower()}{msg[1:]}"
    if any(secret in str(error["loc"][-1]).lower() for secret in _SECRET_FIELDS):
        return text  # never echo what was typed into a password or secret field
    return f"{text} (got {got!r})"


_SECRET_FIELDS = ("password", "secret", "token", "key")
