"""scripts/screenshots.py: the emails it renders, and its screenshots where chromium exists."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scripts import screenshots

NAMES = {"confirmed", "contradicted", "correction", "feed-health", "hostile", "digest"}


def test_every_page_renders_through_the_real_renderers_escaped() -> None:
    """Each page the script writes is a full HTML body; the hostile titles arrive as text."""
    pages = {name: render() for name, render in screenshots.pages().items()}
    assert NAMES == set(pages)
    assert [True] * len(pages) == [p.startswith("<!DOCTYPE html>") for p in pages.values()]
    for name in ("hostile", "digest"):
        assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in pages[name]
        assert [False, False] == ["<script" in pages[name], 'href="javascript' in pages[name]]
    assert pages["digest"].count("Alert id, for support:") == 5


def test_without_chromium_it_writes_the_html_and_says_why_there_are_no_pngs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An empty PATH: no chromium to find, so HTML only and a message saying how to get PNGs."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert 0 == screenshots.main([str(tmp_path / "out")])
    assert "chromium is not installed" in capsys.readouterr().out
    written = {p.name for p in (tmp_path / "out").iterdir()}
    assert {f"{name}.html" for name in NAMES} == written


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_with_chromium_every_page_is_screenshotted_in_both_widths_and_modes(
    tmp_path: Path,
) -> None:
    assert 0 == screenshots.main([str(tmp_path)])
    pngs = sorted(tmp_path.glob("*.png"))
    expected = {f"{n}-{w}-{m}.png" for n in NAMES for w in (400, 900) for m in ("light", "dark")}
    assert expected == {p.name for p in pngs}
    assert [b"\x89PNG"] * len(pngs) == [p.read_bytes()[:4] for p in pngs]
