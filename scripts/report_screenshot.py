"""Render the HTML report of a realistic news day and screenshot it with headless chromium.

    python scripts/report_screenshot.py [OUT_DIR]

Writes OUT_DIR/report.html (default: a temporary directory) and, when chromium is installed,
OUT_DIR/report.png (1000 px wide). Without chromium it says so and exits 0 after writing the
HTML. The data is written here, not fetched: 3 claims, 18 evidence rows from 4 feeds of 3
outlets (two NYT feeds), English and Cyrillic, equal confirm and contradict totals on one claim.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flows.cli.html_report import ClaimPage, render_report
from monitors.models import Claim, ClaimState, Evidence, SentenceStance, Verdict
from monitors.outlets import outlet_of
from monitors.state.history import EvidenceRow, StateChange

T0 = datetime(2025, 4, 26, 6, tzinfo=UTC)
FEEDS = {
    "nyt-world": "NYT World",
    "nyt-top": "NYT Top Stories",
    "tass": "TASS (ru)",
    "kyiv-ind": "Kyiv Independent",
}
HOSTS = {
    "nyt-world": "www.nytimes.com",
    "nyt-top": "nytimes.com",
    "tass": "tass.ru",
    "kyiv-ind": "kyivindependent.com",
}
STANCE = {
    Verdict.CONFIRM: SentenceStance.ASSERT,
    Verdict.CONTRADICT: SentenceStance.DENY,
    Verdict.NEUTRAL: SentenceStance.MENTION,
    Verdict.DISPUTED: SentenceStance.HEDGE,
}

# (id, claim, feed, hours after T0, verdict, title, sentence, alias, matched, cue)
Row = tuple[int, str, str, float, Verdict, str, str, str, str, str | None]
ROWS: list[Row] = [
    (1, "kursk", "tass", 0.5, Verdict.CONFIRM, "Минобороны: Курская область полностью освобождена",
     "Минобороны России заявило об освобождении Курской области.", "Kursk region",
     "Курской области", "заявило об освобождении"),
    (2, "kursk", "nyt-world", 1.5, Verdict.NEUTRAL, "Live updates: the war in Ukraine",
     "Fighting continued near the Kursk region overnight.", "Kursk region", "Kursk region", None),
    (3, "kursk", "nyt-top", 2.0, Verdict.CONFIRM, "Russia says it has retaken Kursk",
     "Russia says its forces now control all of the KURSK REGION.", "Kursk region",
     "Kursk region", "now control"),
    (4, "kursk", "kyiv-ind", 4.0, Verdict.CONTRADICT,
     "Kyiv: our troops are still holding positions in the Kursk region",
     "Ukraine's General Staff denied that its troops had left the Kursk region.",
     "Kursk region", "Kursk region", "denied"),
    (5, "kursk", "nyt-world", 5.0, Verdict.CONTRADICT, "Ukraine disputes Moscow's Kursk claim",
     "Ukrainian officials rejected the claim, saying units remain in Kursk.", "Kursk region",
     "Kursk", "rejected the claim"),
    (6, "kursk", "tass", 6.5, Verdict.NEUTRAL, "Губернатор Курской области провёл совещание",
     "Губернатор Курской области провёл совещание по восстановлению.", "Kursk region",
     "курской области", None),
    (7, "kursk", "nyt-top", 8.0, Verdict.NEUTRAL, "What to know about the Kursk incursion",
     "The Kursk region has been contested since last August.", "Kursk region", "Kursk region",
     None),
    (8, "kursk", "kyiv-ind", 9.0, Verdict.NEUTRAL, "Evening briefing",
     "Shelling was reported across the border <b>region</b> & nearby.", "Kursk region",
     "Курская", None),
    (9, "gornal", "kyiv-ind", 1.0, Verdict.NEUTRAL, "Sumy border: what we know",
     "Gornal, a village near the border, was shelled overnight.", "Gornal", "Gornal", None),
    (10, "gornal", "tass", 2.5, Verdict.CONFIRM, "ВС России освободили Горналь",
     "Российские войска освободили село Горналь.", "Gornal", "Горналь", "освободили"),
    (11, "gornal", "nyt-world", 3.5, Verdict.NEUTRAL, "Russia presses in Kursk",
     "Russian state media said fighting was under way near Gornal.", "Gornal", "Gornal", None),
    (12, "gornal", "kyiv-ind", 7.0, Verdict.CONTRADICT, "Ukraine denies Gornal has fallen",
     "Ukrainian forces deny that Gornal has fallen.", "Gornal", "gornal", "deny"),
    (13, "gornal", "nyt-top", 10.0, Verdict.DISPUTED, "Conflicting reports on Gornal",
     "Moscow says Gornal is taken; Kyiv says it is not.", "Gornal", "Gornal", "says"),
    (14, "gornal", "nyt-world", 11.0, Verdict.NEUTRAL, "Map: the front line on April 26",
     "The map shows Gornal and Sudzha.", "Gornal", "Gornal", None),
    (15, "gornal", "tass", 12.0, Verdict.NEUTRAL, "Сводка Минобороны",
     "В районе Горналя продолжаются бои.", "Gornal", "Горналя", None),
    (16, "bridge", "nyt-world", 3.0, Verdict.NEUTRAL, "Kerch bridge traffic resumes",
     "Traffic resumed on the Crimean bridge on Saturday morning.", "Crimean bridge",
     "Crimean bridge", None),
    (17, "bridge", "kyiv-ind", 6.0, Verdict.NEUTRAL, "Navy drones seen near Crimea",
     "Sea drones were seen near the <script>alert(1)</script> Crimean Bridge.", "Crimean bridge",
     "Crimean Bridge", None),
    (18, "bridge", "tass", 9.5, Verdict.NEUTRAL, "Крымский мост работает в штатном режиме",
     "Движение по Крымскому мосту осуществляется в штатном режиме.", "Crimean bridge",
     "Крымскому мосту", None),
]  # fmt: skip

CLAIMS = [
    Claim(id="kursk-control", statement="Russia has regained full control of the Kursk region"),
    Claim(id="gornal-recaptured", statement="Russian forces recaptured Gornal"),
    Claim(id="bridge-struck", statement="The Crimean bridge was struck"),
]
CLAIM_OF = {"kursk": "kursk-control", "gornal": "gornal-recaptured", "bridge": "bridge-struck"}


def evidence_row(row: Row) -> EvidenceRow:
    n, claim, feed, hours, verdict, title, sentence, alias, matched, cue = row
    when = T0 + timedelta(hours=hours)
    span = Evidence(sentence, STANCE[verdict], 0.85, alias=alias, matched=matched, cue=cue)
    return EvidenceRow(
        id=n, claim_id=CLAIM_OF[claim], feed_id=feed, report_id=f"r{n}", verdict=verdict,
        score=0.85 if verdict is not Verdict.NEUTRAL else 0.3, title=title,
        link=f"https://{HOSTS[feed]}/2025/04/26/{n}", published=when,
        recorded=when + timedelta(minutes=4), spans=(span,),
    )  # fmt: skip


def pages() -> list[ClaimPage]:
    """One page per claim; Kursk: unknown -> confirmed (#1) -> contradicted (#4)."""
    rows = [evidence_row(r) for r in ROWS]
    by_id = {r.id: r for r in rows}
    changes = {
        "kursk-control": [(ClaimState.UNKNOWN, ClaimState.CONFIRMED, 1),
                          (ClaimState.CONFIRMED, ClaimState.CONTRADICTED, 4)],
        "gornal-recaptured": [(ClaimState.UNKNOWN, ClaimState.CONFIRMED, 10),
                              (ClaimState.CONFIRMED, ClaimState.DISPUTED, 13)],
    }  # fmt: skip
    found = []
    for claim in CLAIMS:
        own = [r for r in rows if r.claim_id == claim.id]
        moves = [
            StateChange(a, b, by_id[n].when, by_id[n].recorded, by_id[n])
            for a, b, n in changes.get(claim.id, [])
        ]
        state = moves[-1].state if moves else ClaimState.UNKNOWN
        outlets = {outlet_of(r.feed_id, r.link) for r in own if r.verdict.is_decisive}
        found.append(ClaimPage(claim, state, own, moves, len(outlets), FEEDS))
    return found


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path(tempfile.mkdtemp(prefix="claimwatch-report-"))
    out.mkdir(parents=True, exist_ok=True)
    html = out / "report.html"
    html.write_text(render_report(pages(), T0 + timedelta(hours=14)), encoding="utf-8")
    print(f"wrote {html}")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("chromium not found (apt-get install -y chromium): no screenshot taken")
        return 0
    png = out / "report.png"
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--no-first-run", f"--user-data-dir={profile}",
             f"--screenshot={png}", "--window-size=1000,1800", html.as_uri()],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
    print(f"wrote {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
