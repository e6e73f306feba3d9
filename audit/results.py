"""What an audit produces, as types: each partnership's brief, and the summary of the whole portfolio."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Optional

from ..facts.vocabulary import SEVERITIES, SEVERITY_RANK
from . import urgency as scoring


@dataclass(frozen=True)
class FindingBrief:
    """What the tally, the CSV rows and the audit page need of one finding."""

    rule: str
    title: str
    severity: str
    priority: int
    message: str


@dataclass(frozen=True)
class ItemBrief:
    """One problem of "what is wrong": a diagnosis, or a finding that no diagnosis explains."""

    kind: str  # "diagnosis" or "finding"
    rule: str
    title: str
    severity: str
    priority: int
    findings: tuple[str, ...]  # the ids of the findings it gathers (a finding: its own)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "rule": self.rule, "title": self.title, "severity": self.severity,
                "priority": self.priority, "findings": list(self.findings)}


@dataclass(frozen=True)
class Brief:
    """One assessed partnership, briefly: who it is, where it came from, its findings, its problems counted.

    The problems are the items of "what is wrong": `item_counts` counts them by severity and
    `first_item` is the most urgent; `urgency` is their score (urgency.py), worked out when the
    brief is made. A brief made without them has each finding stand alone as a problem.
    """

    id: str
    name: str
    phase: Optional[str]
    area: Optional[str]
    source: str
    location: str
    findings: tuple[FindingBrief, ...]
    first_item: Optional[ItemBrief] = None
    item_counts: Optional[dict[str, int]] = field(default=None, compare=False)
    urgency: int = field(init=False)

    def __post_init__(self) -> None:
        if self.item_counts is None:
            counts = Counter(f.severity for f in self.findings)
            object.__setattr__(self, "item_counts", {s: counts.get(s, 0) for s in SEVERITIES})
            if self.first_item is None and self.findings:
                f = min(self.findings, key=lambda f: (SEVERITY_RANK[f.severity], -f.priority, f.rule))
                object.__setattr__(self, "first_item", ItemBrief("finding", f.rule, f.title, f.severity, f.priority, (f.rule,)))
        object.__setattr__(self, "urgency", scoring.score(self.item_counts))

    @classmethod
    def of(cls, assessment, source: str, location: str) -> "Brief":
        """The brief of an `Assessment` read from `source` at `location`."""
        a = assessment
        findings = tuple(FindingBrief(f.rule, f.title, f.severity, f.priority, f.message) for f in a.findings)
        counts = dict.fromkeys(SEVERITIES, 0)
        for i in a.items:
            counts[i.severity] += 1
        first = a.items[0] if a.items else None
        if first is not None:
            first = ItemBrief(first.kind, first.rule, first.title, first.severity, first.priority, tuple(first.findings))
        return cls(a.id, a.name, a.phase, a.area, source, location, findings, first, counts)

    @property
    def top(self) -> Optional[FindingBrief]:
        """The leading finding of the most urgent problem."""
        return self.findings[0] if self.findings else None

    @property
    def worst(self) -> str:
        """The most severe finding's severity, or 'none'."""
        return min((f.severity for f in self.findings), key=SEVERITY_RANK.__getitem__, default="none")

    def severity_counts(self) -> Counter:
        """Findings by severity (the problems by severity are `item_counts`)."""
        return Counter(f.severity for f in self.findings)

    def rank_key(self, index: int) -> tuple:
        """Sort key, most urgent first (scoring.rank_key); `index` is the brief's place in the input."""
        first = self.first_item
        return scoring.rank_key(self.urgency, first.priority if first else 0, self.id, index)

    def urgency_dict(self) -> dict:
        """The urgency and its parts, as the JSON outputs give them."""
        first = self.first_item
        return {"score": self.urgency, "items": dict(self.item_counts), "first_item": first.to_dict() if first else None}


@dataclass
class AuditSummary:
    """The figures of a whole audit; `to_dict` is the JSON contract (the 'summary' of --format json)."""

    assessed: int
    bad_records: int
    failed_records: int
    records_read: int
    interrupted: bool
    with_findings: int
    fail_on: str
    at_or_above_fail_on: int
    by_worst_severity: dict[str, int]
    most_urgent: list[dict] = field(default_factory=list)
    common_findings: list[dict] = field(default_factory=list)
    by_phase: list[dict] = field(default_factory=list)
    by_impact_area: list[dict] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.interrupted

    @property
    def errors_total(self) -> int:
        return self.bad_records + self.failed_records

    def to_dict(self) -> dict:
        d = asdict(self)
        ordered = {k: d[k] for k in ("assessed", "bad_records", "failed_records", "records_read")}
        ordered["complete"] = self.complete
        ordered.update((k, d[k]) for k in d if k not in ordered)
        return ordered


class MostUrgent:
    """The `n` most urgent of a stream of partnerships' briefs, kept in bounded memory: the list is cut
    back to the best `n` whenever it reaches four times that."""

    def __init__(self, n: int):
        self.n = n
        self._kept: list[tuple] = []

    def add(self, brief, index: int) -> None:
        """A brief (with problems) and its place in the input, which breaks ties."""
        self._kept.append((brief.rank_key(index), brief))
        if len(self._kept) >= 4 * self.n:
            self._cut()

    def __len__(self) -> int:
        """How many briefs are held now (at most four times `n`)."""
        return len(self._kept)

    def _cut(self) -> None:
        self._kept.sort(key=lambda k: k[0])
        del self._kept[self.n :]

    def best(self) -> list:
        """The kept briefs, most urgent first."""
        self._cut()
        return [b for _, b in self._kept]
