"""File and console sinks, and the channel registry."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from alerts.channel import CHANNEL_TYPES, ChannelSettings, build_channel
from alerts.render import alert as render
from monitors.errors import ConfigError, DeliveryError, TransientDeliveryError
from monitors.models import Alert

GOLDEN = Path(__file__).parent / "golden"


def load_alert(case: str) -> Alert:
    return Alert.from_dict(json.loads((GOLDEN / case / "alert.json").read_text(encoding="utf-8")))


def test_file_sink_appends_json_lines(tmp_path: Path) -> None:
    """Each alert is one JSON line, appended, that reads back to the same Alert."""
    path = tmp_path / "nested" / "dir" / "alerts.jsonl"
    channel = build_channel("audit", "file", {"path": str(path)})
    alerts = [load_alert("kursk-contradicted"), load_alert("hostile-feed")]
    for alert in alerts:
        channel.send(alert)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert alerts == [Alert.from_dict(json.loads(line)) for line in lines]


def test_file_sink_keeps_existing_lines(tmp_path: Path) -> None:
    """Sending appends: earlier content stays in place."""
    path = tmp_path / "alerts.jsonl"
    path.write_text('{"earlier": true}\n', encoding="utf-8")
    build_channel("audit", "file", {"path": str(path)}).send(load_alert("minimal-confirmed"))
    first, second = path.read_text(encoding="utf-8").splitlines()
    assert ({"earlier": True}, "sudzha") == (json.loads(first), json.loads(second)["claim_id"])


def test_file_sink_unwritable_path_is_permanent(tmp_path: Path) -> None:
    """A path that is a directory is a permanent DeliveryError naming the path."""
    channel = build_channel("audit", "file", {"path": str(tmp_path)})
    with pytest.raises(DeliveryError) as caught:
        channel.send(load_alert("minimal-confirmed"))
    assert not isinstance(caught.value, TransientDeliveryError)
    assert str(caught.value).startswith(f"file audit: cannot append to {tmp_path}: ")


def test_console_sink_prints_headline(capsys: pytest.CaptureFixture[str]) -> None:
    """The console sink writes the text rendering, headline first, to stdout."""
    alert = load_alert("kursk-contradicted")
    build_channel("console", "console", {}).send(alert)
    out = capsys.readouterr().out
    assert (
        "CONTRADICTED: Russia has regained full control of the Kursk region" == out.split("\n")[0]
    )
    assert render.email_text(alert) + "\n" == out


def test_console_sink_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    """stream: stderr sends the block to standard error instead."""
    build_channel("console", "console", {"stream": "stderr"}).send(load_alert("minimal-confirmed"))
    captured = capsys.readouterr()
    assert ("", "CONFIRMED: Sudzha is under Russian control") == (
        captured.out,
        captured.err.split("\n")[0],
    )


def test_console_sink_strips_terminal_escapes() -> None:
    """Escape sequences from a feed never reach the terminal."""
    from alerts.sinks import ConsoleChannel, ConsoleSettings

    stream = io.StringIO()
    ConsoleChannel("console", ConsoleSettings(), stream=stream).send(load_alert("hostile-feed"))
    assert "\x1b" not in stream.getvalue()
    assert "Gornal" in stream.getvalue()


def test_unknown_channel_type_is_config_error() -> None:
    """An unknown type names the channel and lists the known types."""
    with pytest.raises(ConfigError) as caught:
        build_channel("pager", "sms", {})
    expected = [
        "channels.pager.type: unknown channel type 'sms' "
        "(expected one of: console, discord, email, file, slack, webhook)"
    ]
    assert expected == caught.value.problems


@pytest.mark.parametrize("type_", sorted(CHANNEL_TYPES))
def test_registry_models_build_channels(type_: str) -> None:
    """Every registered settings model is a pydantic model with build() and forbids typos."""
    model = CHANNEL_TYPES[type_]
    assert (True, True) == (
        issubclass(model, BaseModel),
        isinstance(model.model_construct(), ChannelSettings),
    )
    with pytest.raises(ValidationError) as caught:
        model.model_validate({"no_such_field": 1})
    assert "no_such_field" in str(caught.value)
