"""The urgency score: how the audit ranks partnerships, from the problems of each (docs/audit.md, "Urgency").

A partnership's problems are the items of its assessment ("what is wrong": diagnoses, and findings
no diagnosis explains), counted by severity. The score ranks them as a medal table ranks countries:
more critical problems first; with as many critical, more high ones; then medium; then low. So one
more critical outranks any number of lesser problems, and six highs outrank two. Written as one
number, two digits per severity: 1,000,000 per critical, 10,000 per high, 100 per medium and 1 per
low (1060905 is 1 critical, 6 high, 9 medium and 5 low), so a spreadsheet sorts by it alone.
"""

from __future__ import annotations

from typing import Mapping

from ..facts.vocabulary import SEVERITIES

WEIGHTS = {"critical": 1_000_000, "high": 10_000, "medium": 100, "low": 1}
# Two digits per severity: a count beyond 99 (no built-in rule base can reach it) adds no more.
COUNT_CAP = 99


def score(counts: Mapping[str, int]) -> int:
    """The urgency of a partnership with `counts` problems of each severity; 0 for none."""
    return sum(WEIGHTS[s] * min(COUNT_CAP, counts.get(s, 0)) for s in SEVERITIES)


def rank_key(urgency: int, first_priority: int, pid: str, index: int) -> tuple:
    """Sort key, most urgent first: the score, then the priority of the most urgent problem (the
    practitioners' ranking of what it rests on), then the partnership's id, then input order."""
    return (-urgency, -first_priority, pid, index)
