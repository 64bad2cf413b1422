"""Local sinks: a JSON-lines file (for scripts and audits) and the console (for trying things out).

The file sink writes ``Alert.to_dict()`` so a line reads back with ``Alert.from_dict``; JSON escapes
every control character, so one alert is always exactly one line whatever the feed contained.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TextIO

from pydantic import BaseModel, ConfigDict

from alerts.render import alert as render
from monitors.errors import DeliveryError, TransientDeliveryError
from monitors.models import Alert

# These need the user to fix the path; anything else (a full disk, say) may pass by the next run.
_PERMANENT_OS_ERRORS = (PermissionError, IsADirectoryError, NotADirectoryError)


class FileSettings(BaseModel):
    """``type: file`` in the channels section of the config."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path

    def build(self, name: str) -> FileChannel:
        return FileChannel(name=name, settings=self)


@dataclass(frozen=True)
class FileChannel:
    """Appends one JSON object per alert to ``path``, creating parent directories."""

    name: str
    settings: FileSettings

    def send(self, alert: Alert) -> None:
        path = self.settings.path
        line = json.dumps(alert.to_dict(), ensure_ascii=False, sort_keys=True) + "\n"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as handle:
                handle.write(line)  # one write per line: concurrent appenders never interleave
        except OSError as exc:
            permanent = isinstance(exc, _PERMANENT_OS_ERRORS)
            error = DeliveryError if permanent else TransientDeliveryError
            reason = exc.strerror or type(exc).__name__
            raise error(f"file {self.name}", f"cannot append to {path}: {reason}") from exc


class ConsoleSettings(BaseModel):
    """``type: console`` in the channels section of the config."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stream: Literal["stdout", "stderr"] = "stdout"

    def build(self, name: str) -> ConsoleChannel:
        return ConsoleChannel(name=name, settings=self)


@dataclass(frozen=True)
class ConsoleChannel:
    """Prints the plain-text rendering (control characters already stripped from feed text)."""

    name: str
    settings: ConsoleSettings
    stream: TextIO | None = None  # None: look up sys.stdout/stderr at send time

    def send(self, alert: Alert) -> None:
        target = self.stream or getattr(sys, self.settings.stream)
        print(render.email_text(alert), file=target, flush=True)
