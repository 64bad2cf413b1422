"""The evaluation harness on small pairs files we wrote, with metrics worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitors.evaluate.breakdown import ClaimRow, by_claim, format_breakdown
from monitors.evaluate.calibration import calibration
from monitors.evaluate.datasets import Pair
from monitors.evaluate.harness import main
from monitors.evaluate.metrics import compute_metrics
from monitors.models import Claim

DATA = Path(__file__).parent / "data"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_harness_prints_hand_computed_metrics(capsys: pytest.CaptureFixture[str]) -> None:
    """pairs_small.csv: 5 of 6 right (a question labelled contradict is read as neutral).

    By hand: confirm P=R=F1=1; contradict P=1 R=.5 F1=.6667; neutral P=.5 R=1 F1=.6667;
    unrelated 1; macro-F1=(1+.6667+.6667+1)/4=.8333; FNC=(.25+2+1+.25+1)/5.25=.8571.
    """
    code, out = _run(capsys, str(DATA / "pairs_small.csv"), "--claims",
                     str(DATA / "kursk_claims.yaml"), "--json")  # fmt: skip
    result = json.loads(out.strip().splitlines()[-1])
    expected = {"n": 6, "accuracy": 0.8333, "macro_f1": 0.8333, "fnc_score": 0.8571,
                "relatedness_accuracy": 1.0}  # fmt: skip
    assert (0, expected) == (code, {k: result[k] for k in expected})
    f1 = {label: row["f1"] for label, row in result["per_class"].items()}
    assert {"confirm": 1.0, "contradict": 0.6667, "neutral": 0.6667, "unrelated": 1.0} == f1
    assert {"confirm": 0, "contradict": 1, "neutral": 1, "unrelated": 0} == result["confusion"][
        "contradict"
    ]


def test_harness_table_shows_figures(capsys: pytest.CaptureFixture[str]) -> None:
    """The human-readable output carries accuracy, macro-F1 and the FNC score."""
    _, out = _run(
        capsys, str(DATA / "pairs_small.csv"), "--claims", str(DATA / "kursk_claims.yaml")
    )
    assert ("accuracy 0.8333  macro-F1 0.8333  n 6", "FNC score 0.8571") == (
        next(line for line in out.splitlines() if line.startswith("accuracy")),
        next(line for line in out.splitlines() if line.startswith("FNC"))[:16],
    )


def test_errors_option_explains_the_mistake(capsys: pytest.CaptureFixture[str]) -> None:
    """--errors 5 shows the one misclassified pair with the engine's reason."""
    _, out = _run(capsys, str(DATA / "pairs_small.csv"), "--claims",
                  str(DATA / "kursk_claims.yaml"), "--errors", "5")  # fmt: skip
    shown = [line for line in out.splitlines() if line.startswith("[")]
    assert ["[1] gold=contradict predicted=neutral"] == shown
    assert 'cue "?"' in out


def test_claim_column_without_claims_file(capsys: pytest.CaptureFixture[str]) -> None:
    """A 'claim' column works alone: subject terms come from the statement."""
    code, out = _run(capsys, str(DATA / "pairs_sentences.csv"), "--json")
    result = json.loads(out.strip().splitlines()[-1])
    assert (0, 2, 1.0) == (code, result["n"], result["accuracy"])


def test_unknown_claim_id_is_reported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A claim_id missing from --claims exits 2 with the file, line and known ids."""
    pairs = tmp_path / "p.csv"
    pairs.write_text("claim_id,report,label\nnope,text,confirm\n", encoding="utf-8")
    code = main([str(pairs), "--claims", str(DATA / "kursk_claims.yaml")])
    err = capsys.readouterr().err
    assert (2, True, True) == (code, "p.csv:2" in err, "gornal-recaptured" in err)


def test_bad_label_is_reported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A label outside confirm/contradict/neutral/unrelated names the row and the choices."""
    pairs = tmp_path / "p.csv"
    pairs.write_text("claim,report,label\nX happened,X happened,agree\n", encoding="utf-8")
    code = main([str(pairs)])
    assert (2, True) == (code, "p.csv:2: label 'agree'" in capsys.readouterr().err)


def test_emergent_and_fnc_adapters(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Both dataset formats load and map their labels (files written here, not copied)."""
    emergent = tmp_path / "e.csv"
    emergent.write_text(
        "claimId,claimHeadline,articleId,articleHeadline,articleHeadlineStance\n"
        "1,A meteorite hit Lowbridge,a,Meteorite hits Lowbridge,for\n"
        "1,A meteorite hit Lowbridge,b,Lowbridge meteorite is a hoax,against\n",
        encoding="utf-8",
    )
    stances, bodies = tmp_path / "s.csv", tmp_path / "b.csv"
    stances.write_text("Headline,Body ID,Stance\nA meteorite hit Lowbridge,7,agree\n"
                       "Dog elected mayor,7,unrelated\n", encoding="utf-8")  # fmt: skip
    bodies.write_text('Body ID,articleBody\n7,"A meteorite hit Lowbridge on Sunday. '
                      'Officials said the meteorite left a crater in Lowbridge."\n',
                      encoding="utf-8")  # fmt: skip
    _, out_e = _run(capsys, "--format", "emergent", str(emergent), "--json")
    _, out_f = _run(capsys, "--format", "fnc", str(stances), str(bodies), "--json")
    e, f = json.loads(out_e.splitlines()[-1]), json.loads(out_f.splitlines()[-1])
    assert ({"confirm": 1, "contradict": 1}, 2) == (
        {k: int(v["support"]) for k, v in e["per_class"].items() if v["support"]},
        f["n"],
    )
    assert {"relatedness_accuracy", "fnc_score"} <= set(f)


def test_dataset_files_with_a_bom_and_capitalised_labels_load(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Spreadsheet exports start with a byte-order mark and may write 'For' or 'AGREE'."""
    emergent = tmp_path / "e.csv"
    emergent.write_text(
        "\ufeffclaimId,claimHeadline,articleId,articleHeadline,articleHeadlineStance\n"
        "1,A meteorite hit Lowbridge,a,Meteorite hits Lowbridge,For\n",
        encoding="utf-8",
    )
    stances, bodies = tmp_path / "s.csv", tmp_path / "b.csv"
    stances.write_text("\ufeffHeadline,Body ID,Stance\nA meteorite hit Lowbridge,7,AGREE\n",
                       encoding="utf-8")  # fmt: skip
    bodies.write_text("\ufeffBody ID,articleBody\n7,A meteorite hit Lowbridge on Sunday.\n",
                      encoding="utf-8")  # fmt: skip
    _, out_e = _run(capsys, "--format", "emergent", str(emergent), "--json")
    _, out_f = _run(capsys, "--format", "fnc", str(stances), str(bodies), "--json")
    e, f = json.loads(out_e.splitlines()[-1]), json.loads(out_f.splitlines()[-1])
    assert (1, 1) == (e["per_class"]["confirm"]["support"], f["per_class"]["confirm"]["support"])


@pytest.mark.parametrize(
    ("stances_text", "message"),
    [
        ("Headline,Body ID\nX,7\n", "s.csv: missing column(s) Stance; it has Headline, Body ID"),
        ("Headline,Body ID,Stance\nX,7,maybe\n", "s.csv:2: label 'maybe' is not one of agree,"),
        ("Headline,Body ID,Stance\nX,8,agree\n", "s.csv:2: Body ID 8 is not in"),
    ],
)
def test_dataset_file_problems_name_file_row_and_fix(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, stances_text: str, message: str
) -> None:
    """An unlabelled test file, an unknown stance, a body that is not there: exit 2, and say so."""
    stances, bodies = tmp_path / "s.csv", tmp_path / "b.csv"
    stances.write_text(stances_text, encoding="utf-8")
    bodies.write_text("Body ID,articleBody\n7,Some text.\n", encoding="utf-8")
    code = main(["--format", "fnc", str(stances), str(bodies)])
    err = capsys.readouterr().err
    assert 2 == code
    assert err.startswith(f"evaluate: {tmp_path}/{message}")


def test_metrics_by_hand() -> None:
    """compute_metrics on a tiny list: precision, recall, F1 and FNC score as worked out."""
    gold = ["confirm", "confirm", "neutral", "unrelated"]
    predicted = ["confirm", "neutral", "neutral", "neutral"]
    m = compute_metrics(gold, predicted)
    # neutral: P = 1/3, R = 1, F1 = .5; confirm: P = 1, R = .5, F1 = .6667; unrelated: 0.
    # FNC: 1 + .25 + 1 + 0 = 2.25 of 3.25 = .6923; relatedness 3/4.
    assert (0.5, 0.6667, 0.0, 0.5, 0.6923, 0.75) == (
        m.per_class["neutral"]["f1"], m.per_class["confirm"]["f1"], m.per_class["unrelated"]["f1"],
        m.accuracy, m.fnc_score, m.relatedness_accuracy,
    )  # fmt: skip


# --- RUWA labels: ids in the labels file, text in the news file -----------------------------------

# Invented reports in the RUWA news file's columns; ids 10-13 are labelled, 99 is not.
NEWS_CSV = (
    "ruwa_id,date,site,title,desc\n"
    "10,2025-04-26,wire.example,Moscow says its troops recaptured Gornal,"
    "The defence ministry said the village had been retaken.\n"
    "11,2025-04-26,kyiv.example,Ukraine denies Russia retook Gornal,\n"
    "12,2025-04-26,wire.example,Kursk region fully liberated,"
    "Russian officials said Russia had regained control of the Kursk region.\n"
    "13,2025-04-27,farm.example,Grain harvest forecast raised,"
    "The agriculture ministry raised its wheat forecast.\n"
    "99,2025-04-27,farm.example,Unlabelled report,\n"
)


def _warnews(tmp_path: Path, labels: str) -> tuple[Path, Path]:
    news, labels_path = tmp_path / "news.csv", tmp_path / "labels.csv"
    news.write_text(NEWS_CSV, encoding="utf-8")
    labels_path.write_text(labels, encoding="utf-8")
    return news, labels_path


def _warnews_args(news: Path, labels: Path, *extra: str) -> list[str]:
    claims = str(DATA / "kursk_claims.yaml")
    return ["--format", "warnews", str(labels), "--claims", claims, "--news", str(news), *extra]


def test_warnews_labels_read_their_text_from_the_news_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """ruwa_id picks title and desc from news.csv; without a split column every row is dev."""
    news, labels = _warnews(
        tmp_path,
        "ruwa_id,claim_id,label\n10,gornal-recaptured,confirm\n11,gornal-recaptured,contradict\n"
        "12,kursk-control,confirm\n13,kursk-control,unrelated\n",
    )
    code, out = _run(capsys, *_warnews_args(news, labels, "--json"))
    result = json.loads(out.strip().splitlines()[-1])
    assert (0, 4, 1.0) == (code, result["n"], result["accuracy"])
    assert "4 pairs (split dev) in" in out


@pytest.mark.parametrize(
    ("split", "expected_n"), [("dev", 2), ("holdout", 1), ("all", 3)], ids=["dev", "holdout", "all"]
)
def test_split_option_scores_one_split(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, split: str, expected_n: int
) -> None:
    """--split keeps the rows of that split (dev by default), or every row with 'all'."""
    news, labels = _warnews(
        tmp_path,
        "ruwa_id,claim_id,label,split\n10,gornal-recaptured,confirm,dev\n"
        "11,gornal-recaptured,contradict,holdout\n12,kursk-control,confirm,DEV\n",
    )
    code, out = _run(capsys, *_warnews_args(news, labels, "--split", split, "--json"))
    assert (0, expected_n) == (code, json.loads(out.strip().splitlines()[-1])["n"])


def test_split_column_works_in_the_generic_csv(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Our own pairs CSV takes the same split column: the default leaves the holdout alone."""
    pairs = tmp_path / "p.csv"
    pairs.write_text("claim,report,label,split\nX happened,X happened,confirm,dev\n"
                     "X happened,X happened,confirm,holdout\n", encoding="utf-8")  # fmt: skip
    code, out = _run(capsys, str(pairs), "--json")
    assert (0, 1) == (code, json.loads(out.strip().splitlines()[-1])["n"])


@pytest.mark.parametrize(
    ("labels", "extra", "message"),
    [
        ("ruwa_id,claim_id,label\n10,gornal-recaptured,confirm\n77,kursk-control,neutral\n"
         "78,kursk-control,neutral\n", (),
         "labels.csv: 2 ruwa_id(s) not in {news}: 77 (line 3), 78 (line 4); fix the ids or pass "
         "--news"),
        ("ruwa_id,claim_id,label\n10,gornal-recaptured,confirm\n", ("--news", "{tmp}/gone.csv"),
         "RUWA news file not found at {tmp}/gone.csv; pass --news PATH"),
        ("ruwa_id,label\n10,confirm\n", (),
         "labels.csv: missing column(s) claim_id; it has ruwa_id, label"),
        ("ruwa_id,claim_id,label,split\n10,gornal-recaptured,confirm,test\n", (),
         "labels.csv:2: split 'test' is not one of dev, holdout"),
        ("ruwa_id,claim_id,label,split\n10,gornal-recaptured,confirm,holdout\n", (),
         "labels.csv: no pairs in split 'dev' (the file has: holdout;"),
        ("ruwa_id,claim_id,label\n10,gornal-recaptured,agree\n", (),
         "labels.csv:2: label 'agree' is not one of confirm, contradict, neutral, unrelated"),
        ("ruwa_id,claim_id,label\n10,bridge,confirm\n", (),
         "labels.csv:2: claim_id 'bridge' is not defined (known: gornal-recaptured, "
         "kursk-control)"),
    ],
    ids=["unknown-ids", "missing-news-file", "missing-column", "bad-split", "empty-split",
         "bad-label", "unknown-claim"],
)  # fmt: skip
def test_warnews_problems_exit_2_and_say_what_to_fix(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    labels: str,
    extra: tuple[str, ...],
    message: str,
) -> None:
    """Unknown ids, a missing news file, bad columns or values: exit 2 with what to fix."""
    news, labels_path = _warnews(tmp_path, labels)
    argv = _warnews_args(news, labels_path, *(e.format(tmp=tmp_path) for e in extra))
    code = main(argv)
    err = capsys.readouterr().err
    expected = message.format(news=news, tmp=tmp_path)
    prefix = "evaluate: " if expected.startswith("RUWA") else f"evaluate: {tmp_path}/"
    assert (2, True) == (code, err.startswith(prefix + expected)), err


def test_warnews_needs_a_claims_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Without --claims the claim ids cannot be read: exit 2 naming the option."""
    news, labels = _warnews(tmp_path, "ruwa_id,claim_id,label\n10,gornal-recaptured,confirm\n")
    code = main(["--format", "warnews", str(labels), "--news", str(news)])
    err = capsys.readouterr().err
    assert (2, True) == (code, err.startswith("evaluate: --format warnews needs --claims CLAIMS"))


def test_warnews_default_news_path_is_next_to_the_checkout() -> None:
    """Without --news the RUWA file is looked for in ../shared/data/ruwa beside the repository."""
    from monitors.evaluate.datasets import DEFAULT_NEWS

    repo = Path(__file__).resolve().parents[1]
    assert repo.parent / "shared" / "data" / "ruwa" / "news.csv" == DEFAULT_NEWS


# --- per claim ------------------------------------------------------------------------------------


def _pairs(*rows: tuple[str, str], named: bool = True) -> list[Pair]:
    """Pairs of (claim id, gold label); text does not matter to the breakdown."""
    return [
        Pair(Claim(id=c, statement=f"Statement of {c}"), "", "", gold, c, named=named)
        for c, gold in rows
    ]


def test_by_claim_figures_by_hand() -> None:
    """Per claim: pairs, accuracy, macro-F1, confirm and contradict recall and precision.

    gornal: gold confirm, confirm, contradict; predicted confirm, neutral, contradict.
    accuracy 2/3; confirm R 1/2 P 1; contradict R 1 P 1; macro-F1 over gold labels
    (confirm F1 .6667, contradict 1) = .8333. kursk: one neutral read right, no confirm or
    contradict at all: those figures are undefined (None), not zero.
    """
    pairs = _pairs(("gornal", "confirm"), ("gornal", "confirm"), ("gornal", "contradict"),
                   ("kursk", "neutral"))  # fmt: skip
    result = by_claim(pairs, ["confirm", "neutral", "contradict", "neutral"])
    assert (
        ClaimRow("gornal", 3, 0.6667, 0.8333, 0.5, 1.0, 1.0, 1.0),
        ClaimRow("kursk", 1, 1.0, 1.0, None, None, None, None),
    ) == result.rows


def test_by_claim_shows_the_20_biggest_headline_claims() -> None:
    """Claims given as headlines (Emergent, FNC-1) are named by statement, top 20 by pairs."""
    pairs = _pairs(*[(f"h{i:02d}", "confirm") for i in range(25) for _ in range(i % 3 + 1)],
                   named=False)  # fmt: skip
    result = by_claim(pairs, [p.label for p in pairs])
    table = format_breakdown(result)
    assert (25, 20, "Statement of h02", 3) == (
        result.claims,
        len(result.rows),
        result.rows[0].claim,
        result.rows[0].pairs,
    )
    assert "... 5 more claims (the 20 with most pairs shown)" == table.splitlines()[-1]
    assert 80 >= max(len(line) for line in table.splitlines())


def test_by_claim_option_prints_a_table_after_the_overall_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--by-claim on RUWA labels: one row per claim id, after the overall figures; JSON too."""
    news, labels = _warnews(
        tmp_path,
        "ruwa_id,claim_id,label\n10,gornal-recaptured,confirm\n11,gornal-recaptured,contradict\n"
        "13,gornal-recaptured,unrelated\n12,kursk-control,confirm\n",
    )
    code, out = _run(capsys, *_warnews_args(news, labels, "--by-claim", "--json"))
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("per claim"))
    assert (0, True) == (code, start > next(i for i, x in enumerate(lines) if x.startswith("acc")))
    assert [
        "gornal-recaptured               3  1.000   1.000   1.000   1.000   1.000   1.000",
        "kursk-control                   1  1.000   1.000   1.000   1.000       -       -",
    ] == lines[start + 2 : start + 4]
    rows = json.loads(lines[-1])["by_claim"]["rows"]
    assert ["gornal-recaptured", "kursk-control"] == [r["claim"] for r in rows]


# --- calibration ----------------------------------------------------------------------------------


def test_calibration_bins_and_thresholds_by_hand() -> None:
    """Predicted confirm at .55 (wrong), .62 (right), .68 (right), .95 (right); contradict .9.

    confirm bins: 0.5-0.6 one, none right; 0.6-0.7 two, both right, mean .65; 0.9-1.0 one.
    At t=.6, 3 confirms would alert, all right; at .5, 4 with precision .75; at .95 the .95
    itself counts (>=, as the policy compares). "alerting" pools both verdicts.
    """
    gold = ["neutral", "confirm", "confirm", "confirm", "contradict", "neutral"]
    predicted = ["confirm", "confirm", "confirm", "confirm", "contradict", "neutral"]
    scores = [0.55, 0.62, 0.68, 0.95, 0.9, 0.3]
    table = calibration(gold, predicted, scores)
    confirm = table["confirm"]
    bins = [(b.count, b.correct, b.mean_score) for b in confirm.bins]
    assert [(0, None, None), (1, 0.0, 0.55), (2, 1.0, 0.65), (0, None, None), (0, None, None),
            (1, 1.0, 0.95)] == bins  # fmt: skip
    at = {a.threshold: (a.alerts, a.precision) for a in confirm.at_threshold}
    assert {0.5: (4, 0.75), 0.6: (3, 1.0), 0.7: (1, 1.0), 0.95: (1, 1.0)} == {
        t: at[t] for t in (0.5, 0.6, 0.7, 0.95)
    }
    pooled = table["alerting"].at_threshold
    assert [(5, 0.8), (2, 1.0)] == [
        (a.alerts, a.precision) for a in pooled if a.threshold in (0.5, 0.9)
    ]
    assert [0, 0, 0, 0, 0, 1] == [b.count for b in table["contradict"].bins]  # .9 opens 0.9-1.0


def test_calibration_option_prints_tables_and_json_carries_them(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--calibration prints bins per verdict and precision at 0.50..0.95; --json has both."""
    news, labels = _warnews(
        tmp_path,
        "ruwa_id,claim_id,label\n10,gornal-recaptured,confirm\n11,gornal-recaptured,contradict\n"
        "12,kursk-control,confirm\n13,kursk-control,unrelated\n",
    )
    code, out = _run(capsys, *_warnews_args(news, labels, "--calibration", "--json"))
    lines = out.splitlines()
    heads = [line for line in lines if line.startswith(("calibration of", "precision at"))]
    thresholds = [line.split()[0] for line in lines if line[:2] == "0." and line[4:5] == " "]
    data = json.loads(lines[-1])["calibration"]
    assert (0, 3) == (code, len(heads))
    assert [f"{t / 100:.2f}" for t in range(50, 100, 5)] == thresholds
    assert (2, 1) == (
        sum(b["count"] for b in data["confirm"]["bins"]),
        sum(b["count"] for b in data["contradict"]["bins"]),
    )
    assert {"threshold", "alerts", "precision"} == set(data["alerting"]["at_threshold"][0])


def test_reports_without_text_are_noted_on_stderr(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A labelled id whose news row has neither title nor desc is scored, with a note."""
    news, labels = _warnews(tmp_path, "ruwa_id,claim_id,label\n10,gornal-recaptured,confirm\n")
    with news.open("a", encoding="utf-8") as handle:
        handle.write("14,2025-04-28,empty.example,,\n")
    labels.write_text(
        "ruwa_id,claim_id,label\n10,gornal-recaptured,confirm\n14,gornal-recaptured,neutral\n",
        encoding="utf-8",
    )
    code = main(_warnews_args(news, labels))
    err = capsys.readouterr().err
    assert (0, "evaluate: note: 1 pair(s) have no title or text") == (code, err[:47])


def test_claimwatch_eval_takes_the_new_options(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`claimwatch eval` hands --format warnews, --split, --by-claim, --calibration through."""
    from flows.cli import main as claimwatch

    news, labels = _warnews(tmp_path, "ruwa_id,claim_id,label\n10,gornal-recaptured,confirm\n")
    argv = _warnews_args(news, labels, "--split", "all", "--by-claim", "--calibration")
    code = claimwatch(["eval", *argv])
    out = capsys.readouterr().out
    assert (0, True, True, True) == (
        code,
        "per claim" in out,
        "calibration of predicted confirm:" in out,
        "1 pairs (split all) in" in out,
    )


def test_by_claim_names_claims_by_id_or_by_statement_in_the_generic_csv(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A row with claim_id is named by the id, a row with only a claim statement by the text."""
    pairs = tmp_path / "p.csv"
    pairs.write_text(
        "claim_id,claim,title,report,label\ngornal-recaptured,,Moscow says its troops recaptured "
        "Gornal,,confirm\n,X happened,X happened,,confirm\n",
        encoding="utf-8",
    )
    code, out = _run(capsys, str(pairs), "--claims", str(DATA / "kursk_claims.yaml"), "--json")
    rows = json.loads(out.splitlines()[-1])["by_claim"]["rows"]
    assert (0, ["X happened", "gornal-recaptured"]) == (code, [r["claim"] for r in rows])
