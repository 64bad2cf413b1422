"""The HTML report: structure, chart points, escaping of hostile feed text, and safe links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

from flows.cli.html_report import ClaimPage, render_report
from monitors.models import Claim, ClaimState, Evidence, SentenceStance, Verdict
from monitors.state.history import EvidenceRow, StateChange

T0 = datetime(2025, 4, 20, 8, tzinfo=UTC)
CLAIM = Claim(id="gornal", statement="Russian forces recaptured Gornal")
HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)> [bold]x[/bold]'


class Page(HTMLParser):
    """Every start tag with its attributes, and all text, of a parsed page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str, **where: str) -> list[dict[str, str]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in where.items())
        ]


def row(
    n: int, verdict: Verdict, feed: str, hours: float, title: str = "", link: str = ""
) -> EvidenceRow:
    """An evidence row as history.evidence_timeline returns it."""
    span = Evidence(f"sentence {n} about Gornal", SentenceStance.ASSERT, 0.9, alias="Gornal",
                    cue="recaptured")  # fmt: skip
    return EvidenceRow(
        id=n, claim_id=CLAIM.id, feed_id=feed, report_id=str(n), verdict=verdict, score=0.9,
        title=title or f"report {n}", link=link or f"https://{feed}.example/{n}",
        published=T0 + timedelta(hours=hours), recorded=T0 + timedelta(hours=hours, minutes=5),
        spans=(span,),
    )  # fmt: skip


def story() -> list[EvidenceRow]:
    return [
        row(1, Verdict.CONFIRM, "wire", 0),
        row(2, Verdict.CONFIRM, "mirror", 3),
        row(3, Verdict.NEUTRAL, "wire", 10),
        row(4, Verdict.CONTRADICT, "kyiv", 20, title=HOSTILE, link="javascript:alert(3)"),
        row(5, Verdict.DISPUTED, "osint", 30),
    ]


def page_for(rows: list[EvidenceRow], state: ClaimState = ClaimState.DISPUTED) -> Page:
    changes = [
        StateChange(ClaimState.UNKNOWN, ClaimState.CONFIRMED, rows[0].when, rows[0].recorded,
                    rows[0]),
    ] if rows else []  # fmt: skip
    pages = [ClaimPage(CLAIM, state, rows, changes, sources=4, feed_names={"wire": "Wire"})]
    return Page(render_report(pages, T0 + timedelta(days=2)))


def test_chart_has_one_point_per_evidence_item_with_its_verdict() -> None:
    """The inline SVG marks every evidence item once, with its verdict, plus two running totals."""
    rows = story()
    page = page_for(rows)
    assert 1 == len(page.all("svg"))
    points = page.all("g", **{"class": "point"})
    assert [(str(r.id), r.verdict.value) for r in rows] == [
        (p["data-evidence"], p["data-verdict"]) for p in points
    ]
    totals = [p["class"] for p in page.all("polyline")]
    assert ["total total-confirm", "total total-contradict"] == totals
    assert 1 == len(page.all("g", **{"class": "change"}))


def test_points_move_right_with_time() -> None:
    """Later evidence sits further right on the time axis."""
    page = page_for(story())
    xs = [float(a["cx"]) for a in page.all("circle")]  # confirm 0h, confirm 3h, neutral 10h
    assert 3 == len(xs)
    assert xs[0] < xs[1] < xs[2]


def test_hostile_feed_text_is_escaped_everywhere() -> None:
    """A title carrying tags and markup shows as text; it never becomes an element."""
    page = page_for(story())
    assert [] == page.all("script") and [] == page.all("img")
    assert HOSTILE in "".join(page.text)


def test_only_http_links_become_anchors_and_nothing_external_loads() -> None:
    """javascript: links stay plain text; the only external URLs are http(s) evidence links."""
    rows = story()
    page = page_for(rows)
    hrefs = [a["href"] for a in page.all("a")]
    external = sorted(h for h in hrefs if not h.startswith("#"))
    expected = sorted(r.link for r in rows if r.link and r.link.startswith("https://"))
    assert expected == external
    assert all(not a.get("src") for _, a in page.tags)
    assert [] == page.all("link")
    assert ["noopener noreferrer nofollow"] * len(expected) == [
        a["rel"] for a in page.all("a") if not a["href"].startswith("#")
    ]
    assert ["Content-Security-Policy"] == [
        m["http-equiv"] for m in page.all("meta") if "http-equiv" in m
    ]


def test_claim_without_evidence_says_so_and_draws_no_chart() -> None:
    """An undecided claim gets its section and an honest note instead of an empty chart."""
    page = page_for([], ClaimState.UNKNOWN)
    assert [] == page.all("svg")
    assert "No evidence recorded for this claim yet." in page.text
    assert ["claim-gornal"] == [a["id"] for a in page.all("section")]
