"""assess_many: reports read against the claims in worker processes give what one process gives."""

from __future__ import annotations

from monitors.config import load_claims
from monitors.models import Verdict
from monitors.paths import DEMO_CONFIG_DIR
from monitors.stance.batch import assess_many
from monitors.stance.engine import StanceEngine

TEXTS = [
    ("Russian forces recaptured Gornal, the defence ministry in Moscow said", ""),
    ("Kyiv denies that Gornal has fallen and says fighting continues", ""),
    ("Russia says it has regained full control of the Kursk region", "Kyiv calls it propaganda."),
    ("Weather in Lisbon: sunny all week", "Nothing about any claim."),
    ("Ukrainian troops still hold positions near Sudzha in the Kursk region", ""),
    ("Football: late goal settles the derby", ""),
]


def test_workers_give_the_assessments_of_one_process() -> None:
    """Every report, every claim: equal assessments, in order, with the engine's shared
    'unrelated' tuple restored for the reports no claim matched."""
    engine = StanceEngine(load_claims(DEMO_CONFIG_DIR / "claims.yaml"))
    texts = TEXTS * 400  # 2,400 reports: 3 chunks, so both workers take more than one
    here = assess_many(engine, texts, workers=0)
    seen: list[int] = []
    there = assess_many(engine, texts, seen.append, workers=2, workers_from=0)
    assert here == there
    assert sum(a is b for a, b in zip(here, there, strict=True)) >= 80  # shared tuples, restored
    assert seen and seen[-1] == len(texts)
    verdicts = {a.verdict for found in there for a in found}
    assert {Verdict.CONFIRM, Verdict.UNRELATED} <= verdicts  # the texts do exercise the engine
