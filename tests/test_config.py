"""Config loading: the bundled demo loads, and broken files give exact, complete messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from alerts.budget import DeliveryBudget
from flows.config import load_config
from monitors.config import load_claims
from monitors.errors import ConfigError
from monitors.paths import DEMO_CONFIG_DIR

GOOD_FEEDS = "feeds:\n  - id: wire\n    url: https://news.example.test/wire.xml\n"
GOOD_CLAIMS = "claims:\n  - id: c1\n    statement: Something happened\n"


def write_config(
    tmp_path: Path, claims: str = GOOD_CLAIMS, feeds: str = GOOD_FEEDS, channels: str | None = None
) -> Path:
    (tmp_path / "claims.yaml").write_text(claims, encoding="utf-8")
    (tmp_path / "feeds.yaml").write_text(feeds, encoding="utf-8")
    if channels is not None:
        (tmp_path / "channels.yaml").write_text(channels, encoding="utf-8")
    return tmp_path


def config_error(directory: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(directory, secrets=None)
    return str(info.value)


def test_demo_config_loads() -> None:
    """The bundled Kursk example has two claims, Cyrillic aliases, a local feed, two sinks."""
    config = load_config(DEMO_CONFIG_DIR)
    assert ["kursk-control", "gornal-recaptured"] == [c.id for c in config.claims]
    assert "Горналь" in config.claim("gornal-recaptured").aliases
    assert Path(config.feeds[0].url).is_file()
    assert ["console", "demo-file"] == [c.name for c in config.channels]


def test_claim_problems_are_all_listed(tmp_path: Path) -> None:
    """Every problem in claims.yaml is reported at once, with entry, field and expected value."""
    claims = """claims:
  - id: gornal-recaptured
    statement: Russian forces recaptured Gornal
  - id: Bad Id
    statement: ""
    threshold: 120
  - id: c2
    statement: again
    alias: [Gornal]
  - just a string
  - id: gornal-recaptured
    statement: Gornal again
    aliases: [Gornal, " "]
  - id: gornal-recaptured
    statement: Gornal a third time
"""
    assert config_error(write_config(tmp_path, claims=claims)) == (
        "claims.yaml: 8 problems\n"
        "  claims[1].id: must be lower-case letters, digits, '-' or '_', at most 64 characters"
        " (got 'Bad Id')\n"
        "  claims[1].statement: string should have at least 1 character (got '')\n"
        "  claims[1].threshold: must be between 0 and 100 (got 120)\n"
        "  claims[2].alias: unknown field (did you mean 'aliases'?)\n"
        "  claims[3]: must be a mapping of fields (got str)\n"
        "  claims[4].aliases: entry 1 is empty; remove it or write a phrase\n"
        "  claims[4].id: duplicate id 'gornal-recaptured' (first used at claims[0])\n"
        "  claims[5].id: duplicate id 'gornal-recaptured' (first used at claims[0])"
    )


def test_duplicate_ids_reported_with_first_use(tmp_path: Path) -> None:
    """A repeated claim id names where it was first used."""
    claims = GOOD_CLAIMS + "  - id: c1\n    statement: Again\n"
    assert config_error(write_config(tmp_path, claims=claims)) == (
        "claims.yaml: 1 problem\n  claims[1].id: duplicate id 'c1' (first used at claims[0])"
    )


def test_yaml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    """Broken YAML names the line and column."""
    message = config_error(write_config(tmp_path, claims="claims:\n  - id: [unclosed\n"))
    assert message.startswith("claims.yaml: 1 problem\n  line 3, column 1: invalid YAML:")


def test_missing_files_and_sections(tmp_path: Path) -> None:
    """A missing file or a missing top-level list says what was expected."""
    error = config_error(tmp_path)  # both files are missing, and both are named
    for name in ("claims.yaml", "feeds.yaml"):
        assert f"file not found; expected a YAML file at {tmp_path / name}" in error
    write_config(tmp_path, feeds="fetch: {}\n")
    assert config_error(tmp_path) == (
        "feeds.yaml: 1 problem\n  feeds: missing; the file must have a top-level 'feeds:' list"
    )


def test_feed_problems(tmp_path: Path) -> None:
    """Bad scheme, missing url and bad fetch limits are all reported for feeds.yaml."""
    feeds = """feeds:
  - id: a
    url: ftp://example.org/feed
  - id: b
fetch:
  concurrency: 0
"""
    assert config_error(write_config(tmp_path, feeds=feeds)) == (
        "feeds.yaml: 3 problems\n"
        "  feeds[0].url: must be an http(s) URL or a file path (got scheme 'ftp')\n"
        "  feeds[1].url: required field is missing\n"
        "  fetch.concurrency: input should be greater than or equal to 1 (got 0)"
    )


def test_relative_feed_paths_resolve_against_the_file(tmp_path: Path) -> None:
    """A local feed path is relative to feeds.yaml, not to the working directory."""
    (tmp_path / "wire.xml").write_text("<rss/>", encoding="utf-8")
    config = load_config(write_config(tmp_path, feeds="feeds:\n  - id: wire\n    url: wire.xml\n"))
    assert str(tmp_path.resolve() / "wire.xml") == config.feeds[0].url


@pytest.mark.parametrize("url", ["news.example.org/rss", "feeds/missing.xml"])
def test_a_url_without_a_scheme_must_be_an_existing_file(tmp_path: Path, url: str) -> None:
    """ "news.example.org/rss" is a forgotten https://, not a path: said, with the fix."""
    error = config_error(write_config(tmp_path, feeds=f"feeds:\n  - id: a\n    url: {url}\n"))
    assert error.startswith("feeds.yaml: 1 problem\n  feeds[0].url: ")
    assert f"'{url}' has no scheme and is no file here" in error
    assert f"write https://{url} for a web feed" in error


def test_every_broken_file_is_reported_in_one_pass(tmp_path: Path) -> None:
    """claims, feeds and channels all broken: one error names every problem of every file."""
    channels = "channels:\n  - name: x\n    type: carrier-pigeon\n"
    directory = write_config(
        tmp_path, claims="claims:\n  - id: Bad Id\n", feeds="feeds: 3\n", channels=channels
    )
    error = config_error(directory)
    assert error.startswith(f"{directory} (3 files): ")
    for fragment in (
        "claims.yaml: claims[0].id",
        "feeds.yaml: feeds",
        "channels.yaml: channels[0]",
    ):
        assert fragment in error


def test_no_channels_file_is_said_out_loud(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path))
    assert [f"no channels.yaml in {tmp_path}: alerts are printed to the console only"] == list(
        config.notes
    )
    assert () == load_config(DEMO_CONFIG_DIR).notes


def test_env_interpolation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """${VAR} comes from the environment, ${VAR:-default} falls back, unset ${VAR} is an error."""
    monkeypatch.setenv("CW_TEST_FEED_HOST", "news.example.org")
    monkeypatch.delenv("CW_TEST_MISSING", raising=False)
    feeds = (
        "feeds:\n  - id: a\n    url: https://${CW_TEST_FEED_HOST}/rss\n"
        "  - id: b\n    url: https://${CW_TEST_OTHER:-fallback.example.org}/rss\n"
    )
    config = load_config(write_config(tmp_path, feeds=feeds))
    assert ["https://news.example.org/rss", "https://fallback.example.org/rss"] == [
        f.url for f in config.feeds
    ]
    broken = "feeds:\n  - id: a\n    url: https://${CW_TEST_MISSING}/rss\n"
    assert config_error(write_config(tmp_path, feeds=broken)) == (
        "feeds.yaml: 1 problem\n  feeds[0].url: environment variable CW_TEST_MISSING is not set"
    )


HOOK_WITH_SECRET = (
    "channels:\n  - name: hook\n    type: webhook\n    url: https://hooks.example.org/in\n"
    "    secret: ${secret:%s}\n"
)


def test_secret_references_come_from_the_given_store(tmp_path: Path) -> None:
    """${secret:NAME} is looked up in the store load_config is given; the value is used as it is
    (a "${...}" inside it is not expanded again)."""
    store = {"hook-key": "a-long-s3cret-${HOME}"}
    directory = write_config(tmp_path, channels=HOOK_WITH_SECRET % "hook-key")
    config = load_config(directory, secrets=lambda name: store[name])
    assert "a-long-s3cret-${HOME}" == config.channels[0].settings["secret"].get_secret_value()


def test_missing_secret_and_missing_store_are_problems_that_name_no_value(tmp_path: Path) -> None:
    def store(name: str) -> str:
        raise LookupError(f"no Prefect Secret block named '{name}'")

    directory = write_config(tmp_path, channels=HOOK_WITH_SECRET % "nope")
    with pytest.raises(ConfigError) as info:
        load_config(directory, secrets=store)
    # The unresolved secret is then also too short for a webhook; both lines stay, the cause first.
    assert str(info.value).startswith(
        "channels.yaml: 2 problems\n  channels[0].secret: no Prefect Secret block named 'nope'\n"
    )
    assert "channels[0].secret: ${secret:nope} needs a secret store" in config_error(directory)


def test_load_claims_alone(tmp_path: Path) -> None:
    """A claims file can be loaded on its own (for `check` and `eval --claims`)."""
    path = tmp_path / "claims.yaml"
    path.write_text(GOOD_CLAIMS + "    aliases: [Thing, Штука]\n", encoding="utf-8")
    claims = load_claims(path)
    assert ("Thing", "Штука") == claims[0].aliases
    assert 85.0 == claims[0].threshold


def test_channel_problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unknown types, bad settings, bad durations and unset secrets are listed per channel."""
    monkeypatch.delenv("CW_TEST_HOOK_SECRET", raising=False)
    channels = """channels:
  - name: desk
    type: email
    host: smtp.example.org
    to: []
  - name: pager
    type: sms
  - name: hook
    type: webhook
    url: https://hooks.example.org/x
    secret: ${CW_TEST_HOOK_SECRET}
    cooldown: soon
  - name: desk
    type: console
policy:
  strong_score: 2
"""
    assert config_error(write_config(tmp_path, channels=channels)) == (
        "channels.yaml: 7 problems\n"
        "  channels[0].from_addr: required field is missing\n"
        "  channels[0].to: list should have at least 1 item after validation, not 0 (got [])\n"
        "  channels[1].type: unknown channel type 'sms' (known: console, discord, email, file,"
        " slack, webhook)\n"
        "  channels[2].secret: environment variable CW_TEST_HOOK_SECRET is not set\n"
        "  channels[2].cooldown: must be a duration like 90, '15m', '2h' or '1d' (got 'soon')\n"
        "  channels[3].name: duplicate name 'desk' (first used at channels[0])\n"
        "  policy.strong_score: input should be less than or equal to 1 (got 2)"
    )


def test_channel_policy_fields(tmp_path: Path) -> None:
    """cooldown and digest are read per channel, and the policy block feeds the alert policy."""
    channels = """channels:
  - name: desk
    type: console
    cooldown: 1h30m
    digest: run
  - name: log
    type: file
    path: alerts.jsonl
    digest: 2h
policy:
  strong_score: 0.8
  duplicate_window: 1d
"""
    config = load_config(write_config(tmp_path, channels=channels))
    assert [(5400.0, 0.0), (0.0, 7200.0)] == [(c.cooldown_s, c.digest_s) for c in config.channels]
    policy = config.alert_policy()
    assert (0.8, 86400.0, 5400.0) == (
        policy.strong_score,
        policy.duplicate_window.total_seconds(),
        policy.channel_cooldowns["desk"].total_seconds(),
    )


def test_alert_threshold_is_a_score_between_0_and_1(tmp_path: Path) -> None:
    """alert_threshold is optional (None: the policy's default); 60 is caught as a percentage,
    and YAML's `no` (false) is not taken as 0."""
    path = tmp_path / "claims.yaml"
    path.write_text(
        GOOD_CLAIMS + "  - id: c2\n    statement: Other\n    alert_threshold: 0.75\n",
        encoding="utf-8",
    )
    assert [None, 0.75] == [c.alert_threshold for c in load_claims(path)]
    bad = (
        GOOD_CLAIMS
        + "    alert_threshold: 60\n  - id: c2\n    statement: x\n    alert_threshold: no\n"
    )
    assert config_error(write_config(tmp_path, claims=bad)) == (
        "claims.yaml: 2 problems\n"
        "  claims[0].alert_threshold: must be between 0 and 1 (got 60); it is the engine's score,"
        " e.g. 0.6, not a percentage like `threshold`\n"
        "  claims[1].alert_threshold: must be a number between 0 and 1 (got False)"
    )


CONSOLE = "channels:\n  - name: desk\n    type: console\n"


def test_delivery_budget_is_read_from_channels_yaml(tmp_path: Path) -> None:
    channels = (
        CONSOLE + "delivery:\n  per_channel: 90s\n  per_run: 10m\n  timeouts_per_channel: 3\n"
    )
    config = load_config(write_config(tmp_path, channels=channels), secrets=None)
    budget = DeliveryBudget.configured(config.delivery)
    assert budget == DeliveryBudget(90.0, 600.0, 3)


def test_delivery_budget_defaults_without_the_block(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, channels=CONSOLE), secrets=None)
    assert DeliveryBudget.configured(config.delivery) == DeliveryBudget()


def test_a_bad_delivery_budget_says_what_to_write(tmp_path: Path) -> None:
    channels = CONSOLE + "delivery:\n  per_run: 0\n  timeouts_per_channel: 0\n  per_feed: 1\n"
    message = config_error(write_config(tmp_path, channels=channels))
    assert "delivery.per_run: must be a positive duration like '2m'" in message
    assert "delivery.timeouts_per_channel: input should be greater than or equal to 1" in message
    assert "delivery.per_feed" in message
