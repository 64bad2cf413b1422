"""Screenshots of the emails an analyst gets, to look at before changing how they render.

    python -m scripts.screenshots OUTDIR

Renders alerts written here to look like a real day of war news (English, Russian and Ukrainian
titles, a very long title, a hostile one with a script tag and markdown) through the real
renderers: a confirmed, a contradicted, a correction and a feed-health email and a digest of five
alerts. Each is written to ``OUTDIR/<name>.html`` and, when Debian's chromium is installed,
screenshotted at phone (400px) and desktop (900px) width, in light and dark mode, to
``OUTDIR/<name>-<width>-<light|dark>.png``. Without chromium it writes the HTML only and says so.
The PNGs are for eyes, not for the repository.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alerts.render.alert import email_html
from alerts.render.digest import digest_html
from monitors.feedstate import Notice, PollState, health_alert
from monitors.models import (
    Alert,
    ClaimState,
    Correction,
    Evidence,
    SentenceStance,
    Source,
    Verdict,
)

NOW = datetime(2026, 3, 14, 7, 40, tzinfo=UTC)
REPORT_URL = "https://desk.example/claimwatch/report.html#claim-{claim_id}"
WIDTHS = {400: 1900, 900: 1500}  # window width -> height (tall enough for one email)
DIGEST_HEIGHT = {400: 7600, 900: 5200}
MODES = {"light": [], "dark": ["--force-dark-mode", "--blink-settings=preferredColorScheme=0"]}
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def _at(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


def _alert(key: str, claim: tuple[str, str], verdict: Verdict, states: tuple[ClaimState, ...],
           report: Source, evidence: tuple[Evidence, ...], **extra: object) -> Alert:  # fmt: skip
    previous, new = states
    values: dict[str, object] = {
        "key": key, "claim_id": claim[0], "claim_statement": claim[1], "verdict": verdict,
        "previous_state": previous, "new_state": new, "score": evidence[0].score if evidence
        else 1.0, "report_title": report.title, "report_link": report.link,
        "feed_id": report.feed_id, "feed_name": report.feed_name, "published": report.published,
        "evidence": evidence, "created_at": NOW, "sources": (report,),
    }  # fmt: skip
    values.update(extra)
    return Alert(**values)  # type: ignore[arg-type]


AVDIIVKA = ("avdiivka-withdrawal", "Ukrainian forces have withdrawn from Avdiivka")
KURSK = ("kursk-control", "Russia has regained full control of the Kursk region")
GORNAL = ("gornal-recaptured", "Russian forces recaptured Gornal")
BRIDGE = ("kerch-bridge-hit", "The Kerch bridge was struck overnight")

KYIV = Source("kyiv-ind", "Kyiv Independent", "Сирський: українські війська вийшли з Авдіївки, "
              "щоб зберегти життя військовослужбовців", "https://kyivindependent.example/avdiivka",
              _at(3))  # fmt: skip
MOD = Source("ru-mod", "Минобороны России (Telegram)",
             "Минобороны: Курская область полностью освобождена от подразделений ВСУ",
             "https://t.example.ru/mod/4512", _at(20))  # fmt: skip
GENSTAFF = Source(
    "ua-genstaff", "General Staff of the Armed Forces of Ukraine",
    "Ukrainian units still hold positions near Sudzha and along the Psel river, General Staff "
    "says in its morning update, rejecting Moscow's claim that the whole of the Kursk region has "
    "been retaken after seven months of fighting",
    "https://genstaff.example.ua/news/2026/03/14/morning-update-sudzha-psel-river-positions",
    _at(2),
)  # fmt: skip
HOSTILE = Source(
    "evil-feed", '<b onmouseover="steal()">Evil</b> Feed',
    '<script>alert("pwned")</script> **BREAKING** [Kerch bridge](javascript:alert(1)) _hit_',
    "javascript:alert(document.cookie)", _at(1),
)  # fmt: skip


def confirmed() -> Alert:
    said = Evidence(
        "Сирський заявив, що українські війська вийшли з Авдіївки на більш вигідні рубежі.",
        SentenceStance.ASSERT, 0.93, "Avdiivka", "Авдіївки", "вийшли з", "Сирський",
        "assert cue 'вийшли з' next to alias 'Avdiivka' (transliterated)",
    )  # fmt: skip
    also = Evidence(
        "The withdrawal from Avdiivka was completed overnight, the commander said.",
        SentenceStance.ASSERT, 0.81, "Avdiivka", "Avdiivka", "withdrawal", None,
        "assert cue 'withdrawal' in the same sentence as the alias",
    )  # fmt: skip
    return _alert("avdiivka:kyiv-ind:7781", AVDIIVKA, Verdict.CONFIRM,
                  (ClaimState.UNKNOWN, ClaimState.CONFIRMED), KYIV, (said, also))  # fmt: skip


def contradicted() -> Alert:
    said = Evidence(
        "Ukraine's General Staff said its units still hold positions in the Курская область "
        "near Sudzha.", SentenceStance.DENY, 0.91, "Kursk region", "Курская область",
        "still hold", "Ukraine's General Staff",
        "deny cue 'still hold' next to alias 'Kursk region' (transliterated)",
    )  # fmt: skip
    also = Evidence(
        "Fighting continues around several villages in the Kursk region, officials said.",
        SentenceStance.DENY, 0.62, "Kursk region", "Kursk region", "fighting continues", None,
        "deny cue 'fighting continues' in the same sentence as the alias",
    )  # fmt: skip
    copy = Source("other-daily", "Other Daily", GENSTAFF.title, "https://other.example/sudzha",
                  _at(1.5))  # fmt: skip
    return _alert("kursk:genstaff:2201", KURSK, Verdict.CONTRADICT,
                  (ClaimState.CONFIRMED, ClaimState.CONTRADICTED), GENSTAFF, (said, also),
                  previous_report=MOD, sources=(GENSTAFF, copy))  # fmt: skip


def corrected() -> Alert:
    kyiv = Source("wire", "Example Wire", "Kyiv: Gornal still contested, no Russian flag raised",
                  "https://wire.example/gornal-contested", _at(5))  # fmt: skip
    said = Evidence(
        "Ukrainian officials said fighting for Gornal continues and no flag was raised.",
        SentenceStance.DENY, 0.84, "Gornal", "Gornal", "fighting continues", "Ukrainian officials",
        "deny cue 'fighting continues' next to alias 'Gornal'",
    )  # fmt: skip
    correction = Correction("ana", Verdict.NEUTRAL, Verdict.CONFIRM, "tass", "tass-311",
                            "ТАСС: российские войска освободили Горналь", _at(0.5),
                            "only Moscow says so; no independent confirmation")  # fmt: skip
    return _alert("correction:gornal:41", GORNAL, Verdict.CONTRADICT,
                  (ClaimState.CONFIRMED, ClaimState.CONTRADICTED), kyiv, (said,),
                  correction=correction)  # fmt: skip


def feed_failing() -> Alert:
    before = PollState(consecutive_failures=4, failing_since=_at(6))
    return health_alert(
        "tass-mirror",
        "ТАСС (Telegram mirror)",
        Notice.FAILING,
        before,
        before,
        "https://mirror.example.ru/tass/rss",
        "HTTP 503 Service Unavailable",
        NOW,
    )


def hostile() -> Alert:
    said = Evidence(
        'Officials say the <img src=x onerror=alert(1)> Kerch bridge was struck & "closed".',
        SentenceStance.ASSERT, 0.88, "Kerch bridge", "kerch bridge", "struck", "<i>officials</i>",
    )  # fmt: skip
    return _alert("bridge:evil:1", BRIDGE, Verdict.CONFIRM,
                  (ClaimState.UNKNOWN, ClaimState.CONFIRMED), HOSTILE, (said,))  # fmt: skip


def disputed() -> Alert:
    said = Evidence(
        "Russia says the bridge was hit, while Kyiv denies any strike on the Kerch bridge.",
        SentenceStance.ASSERT, 0.71, "Kerch bridge", "Kerch bridge", "denies", None,
        "Russian and Ukrainian officials disagree",
    )  # fmt: skip
    report = Source("bbc", "BBC News", "Kerch bridge: conflicting claims after night of drone "
                    "attacks", "https://bbc.example/kerch", _at(0.5))  # fmt: skip
    return _alert("bridge:bbc:9", BRIDGE, Verdict.DISPUTED,
                  (ClaimState.CONFIRMED, ClaimState.DISPUTED), report, (said,),
                  previous_report=HOSTILE)  # fmt: skip


def pages() -> dict[str, Callable[[], str]]:
    """Each page's name and how to render it, through the real renderers."""
    day = [confirmed(), contradicted(), hostile(), disputed(), feed_failing()]
    return {
        "confirmed": lambda: email_html(confirmed(), REPORT_URL),
        "contradicted": lambda: email_html(contradicted(), REPORT_URL),
        "correction": lambda: email_html(corrected(), REPORT_URL),
        "feed-health": lambda: email_html(feed_failing(), REPORT_URL),
        "hostile": lambda: email_html(hostile(), REPORT_URL),
        "digest": lambda: digest_html(day, REPORT_URL),
    }


def screenshot(chromium: str, page: Path, png: Path, size: tuple[int, int], mode: str) -> None:
    with tempfile.TemporaryDirectory(prefix="cw-chromium-") as profile:
        command = [chromium, *CHROMIUM_FLAGS, *MODES[mode], f"--user-data-dir={profile}",
                   f"--screenshot={png}", f"--window-size={size[0]},{size[1]}",
                   page.resolve().as_uri()]  # fmt: skip
        subprocess.run(command, check=True, capture_output=True, timeout=120)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m scripts.screenshots OUTDIR", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    written = []
    for name, render in pages().items():
        page = out / f"{name}.html"
        page.write_text(render(), encoding="utf-8")
        written.append(page)
    if chromium is None:
        print(f"wrote {len(written)} HTML files to {out}; no screenshots: chromium is not "
              "installed (apt-get install -y chromium)")  # fmt: skip
        return 0
    shots = 0
    for page in written:
        heights = DIGEST_HEIGHT if page.stem == "digest" else WIDTHS
        for width, height in heights.items():
            for mode in MODES:
                screenshot(chromium, page, out / f"{page.stem}-{width}-{mode}.png",
                           (width, height), mode)  # fmt: skip
                shots += 1
    print(f"wrote {len(written)} HTML files and {shots} screenshots to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
