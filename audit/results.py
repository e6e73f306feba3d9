"""What an audit produces, as types: each partnership's brief, and the summary of the whole portfolio."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Optional

from ..facts.vocabulary import SEVERITIES, SEVERITY_RANK


@dataclass(frozen=True)
class FindingBrief:
    """What the tally, the CSV rows and the audit page need of one finding."""

    rule: str
    title: str
    severity: str
    priority: int
    message: str


@dataclass(frozen=True)
class Brief:
    """One assessed partnership, briefly: who it is, where it came from, its findings in priority order."""

    id: str
    name: str
    phase: Optional[str]
    area: Optional[str]
    source: str
    location: str
    findings: tuple[FindingBrief, ...]

    @property
    def top(self) -> Optional[FindingBrief]:
        return self.findings[0] if self.findings else None

    def severity_counts(self) -> Counter:
        return Counter(f.severity for f in self.findings)

    def urgency(self, index: int) -> tuple:
        """Sort key, most urgent first: the top finding's severity and priority, then how many findings of
        each severity, then input order. Only for a partnership with findings."""
        counts = self.severity_counts()
        top = self.findings[0]
        return (SEVERITY_RANK[top.severity], -top.priority, *(-counts[s] for s in SEVERITIES), index)


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
