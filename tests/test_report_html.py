"""The HTML report: structure, chart points, escaping of hostile feed text, and safe links."""

from __future__ import annotations

from dataclasses import replace
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
    assert 1 == len(page.all("svg", **{"class": "chart"}))
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
    marks = [a for a in page.all("circle") if "class" not in a]  # not the totals' step markers
    xs = [float(a["cx"]) for a in marks]  # confirm 0h, confirm 3h, neutral 10h
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


VOID = {"meta", "br", "img", "input", "link", "hr", "wbr"}


class Elements(HTMLParser):
    """Every element in document order with its attributes and all the text inside it."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str], list[str]]] = []
        self.open: list[list[str]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        texts: list[str] = []
        self.found.append((tag, {k: v or "" for k, v in attrs}, texts))
        if tag not in VOID:
            self.open.append(texts)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {k: v or "" for k, v in attrs}, []))

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self.open:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        for texts in self.open:
            texts.append(data)

    def text_of(self, tag: str, **where: str) -> list[str]:
        return [
            "".join(texts)
            for t, a, texts in self.found
            if t == tag and all(a.get(k) == v for k, v in where.items())
        ]


def span(sentence: str, matched: str | None, alias: str = "Gornal") -> Evidence:
    return Evidence(sentence, SentenceStance.ASSERT, 0.9, alias=alias, matched=matched)


def busy_day() -> tuple[list[EvidenceRow], list[StateChange]]:
    """The story of the real day: the two reports that moved the claim among ten mentions."""
    rows = [row(1, Verdict.CONFIRM, "wire", 0)]
    rows += [row(n, Verdict.NEUTRAL, "mirror" if n % 2 else "wire", n) for n in range(2, 12)]
    rows += [row(12, Verdict.CONTRADICT, "kyiv", 13), row(13, Verdict.CONFIRM, "osint", 14)]
    changes = [
        StateChange(ClaimState.UNKNOWN, ClaimState.CONFIRMED, rows[0].when, rows[0].recorded,
                    rows[0]),
        StateChange(ClaimState.CONFIRMED, ClaimState.CONTRADICTED, rows[11].when,
                    rows[11].recorded, rows[11]),
    ]  # fmt: skip
    return rows, changes


def render(
    rows: list[EvidenceRow], changes: list[StateChange], more: tuple[ClaimPage, ...] = ()
) -> Elements:
    state = changes[-1].state if changes else ClaimState.UNKNOWN
    page = ClaimPage(CLAIM, state, rows, changes, sources=3, feed_names={"wire": "Wire"})
    return Elements(render_report([page, *more], T0 + timedelta(days=2)))


def evidence_ids(page: Elements) -> list[tuple[str, int]]:
    """(where, evidence id) of each listed item in page order: 'decisive' or the group's verdict."""
    order: list[tuple[str, int]] = []
    where = ""
    for tag, attrs, _ in page.found:
        if tag == "ol" and attrs.get("class") == "decisive":
            where = "decisive"
        elif tag == "details":
            where = attrs["data-verdict"]
        elif tag == "li" and attrs.get("id", "").startswith("ev-"):
            order.append((where, int(attrs["id"].removeprefix("ev-"))))
    return order


def test_the_reports_that_changed_the_state_come_first_newest_change_first() -> None:
    """Before any mention: the contradiction that flipped the claim, then the first confirm;
    each with from -> to; they are not listed again below, and every item is listed once."""
    rows, changes = busy_day()
    page = render(rows, changes)
    order = evidence_ids(page)
    assert [("decisive", 12), ("decisive", 1)] == order[:2]
    assert {"decisive"} == {w for w, n in order if n in (1, 12)}
    assert sorted(r.id for r in rows) == sorted(n for _, n in order)
    heads = page.text_of("div", **{"class": "change-head"})
    assert ["confirmed", "contradicted"] == heads[0].split()[:3:2]
    assert ["unknown", "confirmed"] == heads[1].split()[:3:2]


def test_the_rest_is_grouped_by_verdict_with_counts_and_feeds() -> None:
    """One <details> per verdict present, its count in the summary, mentions closed; a line
    counts each feed's items by verdict."""
    rows, changes = busy_day()
    page = render(rows, changes)
    groups = [a for t, a, _ in page.found if t == "details"]
    assert ["confirm", "neutral"] == [g["data-verdict"] for g in groups]
    assert ["open" in g for g in groups] == [True, False]
    counts = page.text_of("span", **{"class": "count"})
    assert ["1", "10"] == counts
    order = evidence_ids(page)
    assert [13] == [n for w, n in order if w == "confirm"]
    assert list(range(11, 1, -1)) == [n for w, n in order if w == "neutral"]  # newest first
    feeds = page.text_of("span", **{"class": "feed-count"})
    assert "Wire 6 (5 neutral, 1 confirm)" in feeds
    assert "mirror 5 (5 neutral)" in feeds
    assert 4 == len(feeds)


def test_matched_words_are_marked_and_hostile_sentences_stay_text() -> None:
    """The matched words, found whatever their case or script, are wrapped in <mark>; the rest
    of a hostile sentence stays text; matched words unlike the alias are named beside it."""
    hostile = '<b onclick="x()">ГОРНАЛЬ</b> <script>alert(1)</script> fell; горналь again'
    rows = [
        replace(row(1, Verdict.CONFIRM, "wire", 0), spans=(span(hostile, "Горналь"),)),
        replace(row(2, Verdict.CONFIRM, "wire", 1), spans=(span("Gornal is taken", "gornal"),)),
        replace(row(3, Verdict.CONFIRM, "wire", 2), spans=(span("Nothing here", "Sudzha"),)),
    ]
    page = render(rows, [])
    assert ["Gornal", "ГОРНАЛЬ", "горналь"] == page.text_of("mark")  # newest report first
    assert [] == page.text_of("script") and [] == page.text_of("b")
    quotes = page.text_of("q")
    assert hostile in quotes and "Nothing here" in quotes
    notes = page.text_of("span", **{"class": "muted"})
    assert any("alias “Gornal”, matched “Горналь”" in n for n in notes)
    assert any("matched “Sudzha”" in n for n in notes)  # not found: named, not marked
    assert not any("matched “gornal”" in n for n in notes)  # the alias in another case


def test_equal_running_totals_draw_two_distinct_visible_lines() -> None:
    """With confirm and contradict totals equal at every step, the lines differ in dash and
    width and run a few pixels apart, and each has a marker per step; a legend names both."""
    rows = [
        row(1, Verdict.DISPUTED, "wire", 0),
        row(2, Verdict.DISPUTED, "kyiv", 5),
        row(3, Verdict.DISPUTED, "wire", 9),
    ]
    page = render(rows, [])
    confirm, contradict = (page.found[i][1] for i, (t, a, _) in enumerate(page.found)
                           if t == "polyline")  # fmt: skip
    assert confirm["stroke-dasharray"] != contradict["stroke-dasharray"]
    assert confirm["stroke-width"] != contradict["stroke-width"]

    def ys(line: dict[str, str]) -> list[float]:
        return [float(p.split(",")[1]) for p in line["points"].split()]

    gaps = {round(b - a, 1) for a, b in zip(ys(confirm), ys(contradict), strict=True)}
    assert 1 == len(gaps) and 1 <= abs(gaps.pop()) <= 4
    for key in ("confirm", "contradict"):
        assert 3 == len([a for t, a, _ in page.found if a.get("class") == f"step step-{key}"])
    legend = page.text_of("p", **{"class": "legend"})[0]
    assert "confirming total" in legend and "contradicting total" in legend


def test_index_lists_each_claim_statement_state_and_counts() -> None:
    """The contents list names each claim by its statement, with its state and counts, and
    links to the section's stable anchor (claim-<id>, which alert emails link to)."""
    rows, changes = busy_day()
    other = ClaimPage(Claim(id="kursk", statement="Kursk is <b>free</b>"), ClaimState.UNKNOWN, [])
    page = render(rows, changes, more=(other,))
    entries = page.text_of("li", **{"class": "toc-entry"})
    assert entries[0].startswith("contradicted Russian forces recaptured Gornal gornal")
    assert "2 confirming · 1 contradicting · 3 source(s) · 13 item(s)" in entries[0]
    assert entries[1].startswith("unknown Kursk is <b>free</b> kursk")
    links = [a["href"] for t, a, _ in page.found if t == "a" and a["href"].startswith("#claim-")]
    sections = [a["id"] for t, a, _ in page.found if t == "section"]
    assert ["#claim-gornal", "#claim-kursk"] == links
    assert ["claim-gornal", "claim-kursk"] == sections
