"""When a decision becomes an alert, and when it is held back.

Users want to hear when a claim changes state, and about strong new evidence; they do not want one
message per syndicated copy of the same wire story, nor a stream of near-identical alerts while a
story is hot. The rules, in order:

1. a state transition (unknown -> confirmed, confirmed -> disputed, ...) always alerts;
2. otherwise only strong evidence (score >= ``strong_score``) alerts;
3. a copy of a story already alerted for this claim (near-identical title, any feed, within
   ``duplicate_window``) is held back as a duplicate; copies arriving together become one alert
   that lists every source;
4. a non-transition alert inside the claim's or the channel's cooldown is held back.

Held-back alerts are kept in the outbox as ``suppressed`` with the reason, so nothing is silent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from rapidfuzz import fuzz

from monitors.models import ClaimState
from monitors.text import fold

# Outlets append their name to syndicated titles: "Gornal retaken - Reuters", "... | BBC News".
_OUTLET_SUFFIX = re.compile(r"\s+[-|:]\s+[^-|:]{2,40}$")  # after fold(): dashes are "-"


@dataclass(frozen=True)
class AlertPolicy:
    strong_score: float = 0.75
    duplicate_window: timedelta = timedelta(hours=48)
    duplicate_similarity: float = 90.0  # rapidfuzz token_sort_ratio of cleaned titles
    channel_cooldowns: Mapping[str, timedelta] = field(default_factory=dict)


DEFAULT_POLICY = AlertPolicy()


def alert_reason(
    previous: ClaimState, new: ClaimState, score: float, policy: AlertPolicy
) -> str | None:
    """Why this decision alerts, or None when it is not worth a message."""
    if previous != new:
        return f"state {previous.value} -> {new.value}"
    if score >= policy.strong_score:
        return f"strong evidence (score {score:.2f} >= {policy.strong_score:.2f})"
    return None


def same_story(title_a: str, title_b: str, policy: AlertPolicy = DEFAULT_POLICY) -> bool:
    """Near-identical headlines, ignoring case, accents, script and an outlet suffix."""
    a, b = _story_key(title_a), _story_key(title_b)
    if not a or not b:
        return False
    return fuzz.token_sort_ratio(a, b) >= policy.duplicate_similarity


def _story_key(title: str) -> str:
    return _OUTLET_SUFFIX.sub("", fold(title).strip())


def cooldown_for(channel: str, claim_cooldown: timedelta, policy: AlertPolicy) -> timedelta:
    """The longer of the claim's and the channel's cooldown applies."""
    return max(claim_cooldown, policy.channel_cooldowns.get(channel, timedelta(0)))
