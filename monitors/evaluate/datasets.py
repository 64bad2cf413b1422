"""Loading labelled pairs: our generic CSV, RUWA news labels, Emergent and FNC-1, all mapped to
claimwatch labels.

A RUWA labels file (``--format warnews``) holds only ids and labels (``ruwa_id,claim_id,label``,
optional ``split``): the report text stays in the RUWA news file and is looked up by ``ruwa_id``,
so the repository never carries the news text itself.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

from monitors.models import Claim

LABELS = ("confirm", "contradict", "neutral", "unrelated")
EMERGENT_LABELS = {"for": "confirm", "against": "contradict", "observing": "neutral"}
FNC_LABELS = {"agree": "confirm", "disagree": "contradict", "discuss": "neutral",
              "unrelated": "unrelated"}  # fmt: skip

SPLITS = ("dev", "holdout")
# The RUWA news file's place next to a checkout (``../shared/data``, as the README's eval commands).
DEFAULT_NEWS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ruwa" / "news.csv"

csv.field_size_limit(10_000_000)  # FNC bodies are long


@dataclass(frozen=True)
class Pair:
    """One labelled (claim, report) pair."""

    claim: Claim
    title: str
    body: str
    label: str
    group: str  # what the pair belongs to for grouped cross-validation (claim or body id)
    split: str = "dev"  # dev or holdout; a file without a split column is all dev
    named: bool = False  # the claim comes from a claims file (its id means something to a user)


def load_pairs(
    fmt: str,
    paths: list[Path],
    claims_path: Path | None = None,
    *,
    news_path: Path | None = None,
    split: str = "dev",
) -> list[Pair]:
    """Pairs from files in ``fmt`` (csv, warnews, emergent, fnc), only those in ``split``
    (``dev``, ``holdout`` or ``all``)."""
    return select_split(_load(fmt, paths, claims_path, news_path), split, paths[0])


def _load(
    fmt: str, paths: list[Path], claims_path: Path | None, news_path: Path | None
) -> list[Pair]:
    if fmt == "emergent":
        return load_emergent(_one(paths, fmt))
    if fmt == "fnc":
        if len(paths) != 2:
            raise ValueError("--format fnc needs two files: STANCES.csv BODIES.csv")
        return load_fnc(paths[0], paths[1])
    if fmt == "warnews":
        return load_warnews(_one(paths, fmt), claims_path, news_path or DEFAULT_NEWS)
    return load_generic(_one(paths, fmt), claims_path)


def select_split(pairs: list[Pair], split: str, path: Path) -> list[Pair]:
    """The pairs of one split; none left is an error, since scoring nothing would print zeros."""
    if split == "all":
        return pairs
    chosen = [p for p in pairs if p.split == split]
    if pairs and not chosen:
        found = ", ".join(sorted({p.split for p in pairs}))
        raise ValueError(
            f"{path}: no pairs in split {split!r} (the file has: {found}; a file without a "
            "'split' column is all dev); pass --split with one of those, or --split all"
        )
    return chosen


def _one(paths: list[Path], fmt: str) -> Path:
    if len(paths) != 1:
        raise ValueError(f"--format {fmt} takes exactly one file, got {len(paths)}")
    return paths[0]


def _rows(path: Path, needs: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """The CSV's rows; a byte-order mark is ignored, and missing columns are named up front."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = [c.strip() for c in reader.fieldnames or []]
        missing = [c for c in needs if c not in columns]
        if missing:
            found = ", ".join(columns) or "none"
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}; it has {found}")
        # Extra values in a row (more than the header names) land under None: dropped.
        return [{k.strip(): v or "" for k, v in row.items() if k is not None} for row in reader]


def _label(mapping: dict[str, str], value: str, path: Path, number: int) -> str:
    """A dataset's label mapped to ours, whatever its case; unknown labels name the row."""
    key = value.strip().lower()
    if key not in mapping:
        raise ValueError(f"{path}:{number}: label {value!r} is not one of {', '.join(mapping)}")
    return mapping[key]


def _claim(statement: str) -> Claim:
    digest = hashlib.sha1(statement.encode()).hexdigest()[:12]
    return Claim(id=f"c-{digest}", statement=statement)


def load_emergent(path: Path) -> list[Pair]:
    """Emergent: claimHeadline vs articleHeadline; for/against/observing."""
    needs = ("claimId", "claimHeadline", "articleHeadline", "articleHeadlineStance")
    return [
        Pair(_claim(r["claimHeadline"]), r["articleHeadline"], "",
             _label(EMERGENT_LABELS, r["articleHeadlineStance"], path, number), r["claimId"])
        for number, r in enumerate(_rows(path, needs), start=2)
    ]  # fmt: skip


def load_fnc(stances: Path, bodies: Path) -> list[Pair]:
    """FNC-1: Headline vs articleBody (by Body ID); agree/disagree/discuss/unrelated."""
    texts = {
        r["Body ID"].strip(): r["articleBody"] for r in _rows(bodies, ("Body ID", "articleBody"))
    }
    pairs = []
    for number, row in enumerate(_rows(stances, ("Headline", "Body ID", "Stance")), start=2):
        body_id = row["Body ID"].strip()
        if body_id not in texts:
            raise KeyError(f"{stances}:{number}: Body ID {body_id} is not in {bodies}")
        label = _label(FNC_LABELS, row["Stance"], stances, number)
        pairs.append(Pair(_claim(row["Headline"]), "", texts[body_id], label, body_id))
    return pairs


def load_generic(path: Path, claims_path: Path | None) -> list[Pair]:
    """Our CSV: claim or claim_id, report, optional title, label."""
    rows = _rows(path, ("label",))
    known = _known_claims(claims_path)
    pairs = []
    for number, row in enumerate(rows, start=2):
        label = (row.get("label") or "").strip().lower()
        if label not in LABELS:
            raise ValueError(f"{path}:{number}: label {label!r} is not one of {', '.join(LABELS)}")
        claim = _row_claim(row, known, path, number)
        title, body = row.get("title") or "", row.get("report") or ""
        split, named = _split(row, path, number), bool((row.get("claim_id") or "").strip())
        pairs.append(Pair(claim, title, body, label, claim.id, split, named))
    return pairs


def _split(row: dict[str, str], path: Path, number: int) -> str:
    """The row's split; no column means dev, but a blank or unknown value is a mistake to fix."""
    if "split" not in row:
        return "dev"
    value = row["split"].strip().lower()
    if value not in SPLITS:
        raise ValueError(
            f"{path}:{number}: split {row['split']!r} is not one of {', '.join(SPLITS)} "
            "(leave the column out to make every row dev)"
        )
    return value


def load_warnews(labels: Path, claims_path: Path | None, news_path: Path) -> list[Pair]:
    """RUWA labels (``ruwa_id,claim_id,label[,split]``), the text read from the news file."""
    if claims_path is None:
        raise ValueError("--format warnews needs --claims CLAIMS.yaml (the labels name claim ids)")
    rows = _rows(labels, ("ruwa_id", "claim_id", "label"))
    texts = _news_texts(news_path, {r["ruwa_id"].strip() for r in rows})
    known = _known_claims(claims_path)
    missing = [(n, r["ruwa_id"].strip()) for n, r in enumerate(rows, start=2)
               if r["ruwa_id"].strip() not in texts]  # fmt: skip
    if missing:
        raise KeyError(_missing_ids(labels, news_path, missing))
    pairs = []
    for number, row in enumerate(rows, start=2):
        label = _label({label: label for label in LABELS}, row["label"], labels, number)
        claim = _row_claim(row, known, labels, number)
        title, body = texts[row["ruwa_id"].strip()]
        pairs.append(Pair(claim, title, body, label, claim.id, _split(row, labels, number), True))
    return pairs


def _news_texts(path: Path, wanted: set[str]) -> dict[str, tuple[str, str]]:
    """(title, desc) of the wanted ``ruwa_id``s; the rest of the 16k-row file is not kept."""
    if not path.is_file():
        raise FileNotFoundError(
            f"RUWA news file not found at {path}; pass --news PATH to the news.csv "
            "(columns ruwa_id,date,site,title,desc)"
        )
    return {
        r["ruwa_id"].strip(): (r.get("title") or "", r.get("desc") or "")
        for r in _rows(path, ("ruwa_id", "title", "desc"))
        if r["ruwa_id"].strip() in wanted
    }


def _missing_ids(labels: Path, news: Path, missing: list[tuple[int, str]]) -> str:
    shown = ", ".join(f"{ruwa_id} (line {number})" for number, ruwa_id in missing[:5])
    more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
    return (
        f"{labels}: {len(missing)} ruwa_id(s) not in {news}: {shown}{more}; "
        "fix the ids or pass --news with the news file they come from"
    )


def _known_claims(claims_path: Path | None) -> dict[str, Claim]:
    if claims_path is None:
        return {}
    from monitors.config import load_claims  # config pulls in pydantic: only when asked

    return {c.id: c for c in load_claims(claims_path)}


def _row_claim(row: dict[str, str], known: dict[str, Claim], path: Path, number: int) -> Claim:
    claim_id = (row.get("claim_id") or "").strip()
    if claim_id:
        if claim_id not in known:
            hint = "pass --claims FILE" if not known else f"known: {', '.join(sorted(known))}"
            raise KeyError(f"{path}:{number}: claim_id {claim_id!r} is not defined ({hint})")
        return known[claim_id]
    statement = (row.get("claim") or "").strip()
    if not statement:
        raise ValueError(f"{path}:{number}: needs a 'claim' or a 'claim_id' column value")
    return _claim(statement)
