"""Is a sentence about a claim's subject? Aliases (per token, any script) or statement terms.

A claim with aliases is matched by them, token by token: an alias of k words matches k
consecutive words of one clause (no comma, semicolon, colon or dash between them), and each alias
word must match its sentence word on its own (``token_score``): the same folded word, the same
transliteration skeleton ("Hornal" ~ "Gornal", "Sudja" ~ "Sudzha"), the alias word plus a Slavic
case ending ("Курской" -> "kurskoy" ~ "Kursk", "Горналі" ~ "Gornal"), or a spelling that differs
in its vowels or by one consonant. A window is never compared as one string, so it cannot join
parts of neighbouring words or reach across punctuation. A claim given only as a sentence gets its
subject terms from the statement: content words, names and numbers weighted higher.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from monitors.models import Claim
from monitors.stance.vocabulary import STOPWORDS, rarity
from monitors.text import stem, tokenize, words

EXACT = 100.0
SKELETON = 95.0  # the same word in another transliteration ("Hornal", "Sudja")
INFLECTED = 90.0  # the alias word plus a case ending ("Kurskoy")
_STEM_MIN = 4  # shorter alias words never inflect or blur ("US" is not "use")

# Russian and Ukrainian case endings as our transliteration writes them (and German "-ach").
# A bare "-y" is missing on purpose: after a consonant it makes a plural, often another place
# ("Lymany" is not "Lyman"). "-sk..." endings are the adjective ("Khersonskaya oblast").
_CASE = ("a", "u", "e", "i", "om", "em", "ov", "ev", "oy", "ey", "oi", "ei", "ogo", "ego",
         "omu", "emu", "im", "ym", "iy", "yi", "yy", "ii", "ikh", "ykh", "akh", "ach", "ami", "am",
         "ya", "yu", "yey", "yei", "yam", "yakh", "yami", "aya", "uyu", "oye", "oe", "ye", "iu",
         "ie", "ia")  # fmt: skip
_ADJECTIVE = ("kiy", "kyi", "kii", "koy", "koi", "kaya", "ka", "ke", "koe", "koye", "kogo",
              "koho", "komu", "kim", "kym", "ikh", "kykh", "kuyu", "ku")  # fmt: skip
ENDINGS = frozenset(
    _CASE + tuple("s" + e for e in _ADJECTIVE) + tuple("sk" + e for e in _ADJECTIVE)
)

# Transliteration systems disagree on these (English, German, Polish, Ukrainian/Russian г);
# longest first.
_SPELLINGS = (("schtsch", "s"), ("shch", "s"), ("tsch", "c"), ("sch", "s"), ("dzh", "J"),
              ("dsh", "J"), ("dz", "J"), ("dj", "J"), ("zh", "z"), ("kh", "h"), ("ch", "c"),
              ("sh", "s"), ("ts", "c"), ("tz", "c"), ("ph", "f"), ("x", "ks"), ("w", "v"),
              ("j", "y"), ("g", "h"), ("y", "i"), ("J", "j"))  # fmt: skip
_VOWELS = str.maketrans({"a": None, "e": None, "i": None, "o": None, "u": None, "c": "h", "z": "s"})


@lru_cache(maxsize=131072)
def skeleton(token: str) -> str:
    """A folded word with transliteration differences and doubled letters levelled."""
    out = token.replace("'", "")
    for old, new in _SPELLINGS:
        out = out.replace(old, new)
    return "".join(c for i, c in enumerate(out) if i == 0 or c != out[i - 1])


@lru_cache(maxsize=131072)
def consonants(token: str) -> str:
    """The skeleton without vowels, "c"/"h" and "z"/"s" merged (German "Charkiw", "Saporischja")."""
    return skeleton(token).translate(_VOWELS)


@lru_cache(maxsize=262144)
def token_score(alias: str, token: str) -> float:
    """How well one folded sentence word matches one folded alias word (0..100)."""
    if alias == token:
        return EXACT
    a, t = skeleton(alias), skeleton(token)
    if a == t:
        return SKELETON
    if len(alias) < _STEM_MIN:
        return 0.0
    if token.startswith(alias) or alias.startswith(token):
        # Same spelling, longer or shorter: only a case ending makes it the same place
        # ("Kurskoy"), never another word ("Azovstal", "Lymany", "Gornalsky").
        return INFLECTED if _inflected(alias, token, ENDINGS) else 0.0
    if _inflected(alias, token, ENDINGS) or _inflected(a, t, _SKELETON_ENDINGS):
        return INFLECTED
    if t.startswith(a) or a.startswith(t):
        return 0.0
    ca, ct = consonants(alias), consonants(token)
    ratio = max(fuzz.ratio(alias, token), fuzz.ratio(a, t))
    if ca == ct and len(ca) >= 3:
        # Only vowels differ: "Kharkov", "Zaporozhye", "Bachmut". Vowels are what
        # transliterations and dialects change most.
        # Below 75 the vowels no longer look alike: "Toretsk"/"truck", "Kherson"/"aggression".
        return (ratio + 100.0) / 2.0 if ratio >= 75 else 0.0
    if len(ca) >= 4 and Indel.distance(ca, ct) == 1:
        return ratio  # one consonant more or less; a changed consonant ("Soledad") is not enough
    return 0.0


def _inflected(alias: str, token: str, endings: AbstractSet[str]) -> bool:
    for base in (alias, alias[:-1] if alias[-1:] in "aeiouy" else alias):
        if len(base) >= _STEM_MIN and token.startswith(base) and token[len(base) :] in endings:
            return True
    return False


_SKELETON_ENDINGS = frozenset(skeleton(e) for e in ENDINGS)


@dataclass(frozen=True)
class AliasHit:
    """Where a claim alias matched in a sentence."""

    alias: str  # the alias as the user wrote it
    matched: str  # the sentence's words that matched it
    score: float  # 0..1 similarity
    start: int  # token index of the match
    end: int


@dataclass(frozen=True)
class Alias:
    """One alias, folded into words; ``anchor`` is its most distinctive word (the index key)."""

    text: str
    tokens: tuple[str, ...]
    name_at: int | None = None  # where the name is, in a form that moved it after its noun

    @property
    def anchor(self) -> int:
        """The word with the most consonants, not counting the last of several: that one may be
        a common noun the text makes plural or shares ("Luhansk and Sumy oblasts"). In a form
        with the name moved ("station in Kramatorsk"), the name: nouns are common words."""
        if self.name_at is not None:
            return self.name_at
        words = range(max(1, len(self.tokens) - 1))
        return max(words, key=lambda i: len(consonants(self.tokens[i])))


def compile_alias(alias: str) -> Alias:
    return Alias(alias, tuple(tokenize(alias)))


def alias_forms(alias: str) -> list[Alias]:
    """The alias, and for a name before a common noun ("Kramatorsk railway station",
    "Kremenchuk shopping centre") the noun before the name as well: "the railway station in
    Kramatorsk", "the shopping centre of Kremenchuk". Each form keeps the alias's own text."""
    compiled = compile_alias(alias)
    words = alias.split()
    if len(words) < 2 or not words[0][:1].isupper() or len(compiled.tokens) != len(words):
        return [compiled]
    if not all(w.isascii() and w.isalpha() and w.islower() for w in words[1:]):
        return [compiled]
    name, rest = compiled.tokens[:1], compiled.tokens[1:]
    forms = [compiled]
    if len(rest) >= 3:
        # "Zaporizhzhia nuclear power plant" is also written "Zaporizhzhia nuclear plant": of
        # three or more words describing the name, one inside may go; the head noun stays.
        forms += [Alias(alias, name + rest[:i] + rest[i + 1 :]) for i in range(len(rest) - 1)]
    for linker in (("in",), ("in", "the"), ("at",), ("at", "the"), ("of",)):
        tokens = rest + linker + name
        forms.append(Alias(alias, tokens, name_at=len(tokens) - 1))
    return forms


def match_at(
    alias: Alias,
    start: int,
    tokens: Sequence[str],
    clauses: Sequence[int] | None,
    threshold: float,
) -> float:
    """The alias's score (0..100) at token ``start``: every word at least ``threshold``, all in
    one clause; 0 if not. A common noun closing the alias may be plural ("Luhansk regions")."""
    end = start + len(alias.tokens)
    if start < 0 or end > len(tokens):
        return 0.0
    if clauses is not None and clauses[start] != clauses[end - 1]:
        return 0.0
    total = 0.0
    last = len(alias.tokens) - 1
    for number, (want, got) in enumerate(zip(alias.tokens, tokens[start:end], strict=True)):
        score = token_score(want, got)
        if not score and number == last and last:
            score = _plural_score(want, got)
        if score < threshold or not score:
            return 0.0
        total += score
    return total / len(alias.tokens)


def match_span(
    alias: Alias,
    start: int,
    tokens: Sequence[str],
    clauses: Sequence[int] | None,
    threshold: float,
) -> tuple[float, int]:
    """The alias's score at ``start`` and the end of the words it covers: the alias itself, or
    its name shared with others before a plural head ("Luhansk and Donetsk regions" names the
    Luhansk region). (0, start) when it does not match there."""
    score = match_at(alias, start, tokens, clauses, threshold)
    if score and not _namesake(alias, start, start + len(alias.tokens), tokens, clauses):
        return score, start + len(alias.tokens)
    if score:
        return 0.0, start
    return _coordinated(alias, start, tokens, clauses, threshold)


# Words that make a place name another place's: "Nova Kakhovka" is not Kakhovka, "Velyka
# Novosilka" not Novosilka, "Mykolaivka Druha" not Mykolaivka (as folded from Latin and Cyrillic).
# English "new"/"old" are left out: "the new Kherson administration" is Kherson's.
NAMESAKE_BEFORE = frozenset({
    "nova", "novaya", "novyi", "novyy", "novy", "novyj", "nove", "novoe", "stara", "staraya",
    "staryi", "staryy", "stary", "velyka", "velika", "velikaya", "velykyi", "velikiy", "velyky",
    "mala", "malaya", "malyi", "malyy", "maly", "verkhnia", "verkhnyaya", "verkhniy", "nyzhnia",
    "nizhnyaya", "nizhniy",
    # adjectives that tell namesakes apart ("Vesela Dolyna", "Myrna Dolyna", "Zelenyi Hai");
    # "Krasnyi" is left out: "Krasnyi Lyman" is Lyman's former name
    "vesela", "vesele", "veselyi", "veseli", "veselaya", "myrna", "myrne", "myrnyi", "mirnaya",
    "mirnoe", "zelena", "zelene", "zelenyi", "zelenaya", "chervona", "chervone", "chervonyi",
    "bila", "bile", "bilyi", "chorna", "chorne", "chornyi", "sukha", "sukhe", "sukhyi",
})  # fmt: skip
NAMESAKE_AFTER = frozenset({"druha", "druga", "vtoraya", "persha", "pervaya"})


def _namesake(
    alias: Alias, start: int, end: int, tokens: Sequence[str], clauses: Sequence[int] | None
) -> bool:
    """The words matched are part of another place's name that the alias does not include (in
    the same clause: "Zelene, Mayorsk" is a list of two villages)."""

    def joined(a: int, b: int) -> bool:
        return clauses is None or clauses[a] == clauses[b]

    before = start > 0 and tokens[start - 1] in NAMESAKE_BEFORE and joined(start - 1, start)
    after = end < len(tokens) and tokens[end] in NAMESAKE_AFTER and joined(end - 1, end)
    return (before and alias.tokens[0] not in NAMESAKE_BEFORE) or (
        after and alias.tokens[-1] not in NAMESAKE_AFTER
    )


def _plural_score(want: str, got: str) -> float:
    """An English plural of an alias's closing common noun ("regions", "oblasts")."""
    return INFLECTED if len(want) >= _STEM_MIN and got in (want + "s", want + "es") else 0.0


def _coordinated(
    alias: Alias,
    start: int,
    tokens: Sequence[str],
    clauses: Sequence[int] | None,
    threshold: float,
) -> tuple[float, int]:
    """Names joined by "and", "or" or commas share the head noun after the last of them:
    "Kharkiv, Luhansk and Donetsk regions", "Луганської та Донецької областей". The head must
    be plural or inflected (two regions are "regions"), the words between it and the alias's
    name must be names or conjunctions (at most ``COORDINATION_GAP``, one conjunction or comma
    among them), never other words ("Luhansk and the regions" names no region)."""
    if len(alias.tokens) < 2:
        return 0.0, start
    names = Alias(alias.text, alias.tokens[:-1])
    named = match_at(names, start, tokens, clauses, threshold)
    if not named:
        return 0.0, start
    head = alias.tokens[-1]
    joined = False
    after = start + len(names.tokens)
    for position in range(after, min(after + COORDINATION_GAP + 1, len(tokens))):
        got = tokens[position]
        if position > after and joined and got != head:
            score = token_score(head, got) or _plural_score(head, got)
            if score >= threshold:
                total = named * len(names.tokens) + score
                return total / len(alias.tokens), position + 1
        if got in _CONJUNCTIONS:
            joined = True
        elif got in STOPWORDS or not got.isalpha():
            return 0.0, start
        elif clauses is not None and clauses[position] != clauses[position - 1]:
            joined = True  # a comma between two names
    return 0.0, start


COORDINATION_GAP = 4  # words between a name and the head noun it shares with the next names
_CONJUNCTIONS = frozenset({"and", "or", "i", "ta", "y", "ili", "abo", "und"})


class ClaimMatcher:
    """Subject matching for one claim: compiled once, used for every sentence."""

    def __init__(self, claim: Claim) -> None:
        self.claim = claim
        self.threshold = claim.threshold
        self.aliases = [form for a in claim.aliases if tokenize(a) for form in alias_forms(a)]
        self.terms = claim_terms(claim.statement)
        alias_stems = {stem(t) for a in self.aliases for t in a.tokens}
        # The predicate: what the claim says about its subject ("regained full control").
        self.predicate = {t: w for t, w in self.terms.items() if t not in alias_stems}

    def find_alias(
        self,
        tokens: Sequence[str],
        surface: Sequence[str],
        clauses: Sequence[int] | None = None,
    ) -> AliasHit | None:
        """The best alias match in a sentence's folded tokens, or None below the threshold.
        ``clauses`` (a clause number per token) keeps a multi-word alias inside one clause."""
        best: AliasHit | None = None
        for alias in self.aliases:
            for start in range(len(tokens) - len(alias.tokens) + 1):
                score, end = match_span(alias, start, tokens, clauses, self.threshold)
                if not score:
                    continue
                hit = AliasHit(alias.text, " ".join(surface[start:end]), score / 100.0, start, end)
                # On a tie the longer alias wins: "Gornal village" says more than "Gornal".
                if best is None or _rank(hit) > _rank(best):
                    best = hit
        return best

    def coverage(self, stems: AbstractSet[str], terms: dict[str, float] | None = None) -> float:
        """Weighted share (0..1) of the claim's terms present in a set of stems."""
        terms = self.terms if terms is None else terms
        total = sum(terms.values())
        if not total:
            return 0.0
        return sum(w for t, w in terms.items() if t in stems) / total


def _rank(hit: AliasHit) -> tuple[float, int]:
    return (hit.score, hit.end - hit.start)


def claim_terms(statement: str) -> dict[str, float]:
    """Stemmed content words of a statement -> weight: rarity, names and numbers count double."""
    terms: dict[str, float] = {}
    for index, (folded, raw) in enumerate(words(statement)):
        if folded in STOPWORDS or len(folded) < 2:
            continue
        named = (raw[:1].isupper() and index > 0) or folded.isdigit() or raw.isupper()
        weight = 2.0 if named else 1.0
        key = stem(folded)
        terms[key] = max(terms.get(key, 0.0), weight * max(rarity(key), 0.05))
    return terms


__all__ = [
    "Alias",
    "AliasHit",
    "ClaimMatcher",
    "claim_terms",
    "match_at",
    "match_span",
    "token_score",
]
