"""The audit's tally: counts that do not grow with the portfolio, the summary made from them, the exit code."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict

from ..facts.vocabulary import EXIT_ERROR, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK, IMPACT_AREAS, PHASES, SEVERITIES, SEVERITY_RANK, reaches
from .results import AuditSummary, Brief
from .results import MostUrgent


class Tally:
    """Counts for the summary; its size depends on the rule base, never on the number of partnerships."""

    def __init__(self, fail_on: str = "high", top: int = 10):
        self.fail_on = fail_on
        self.top = top
        self.assessed = self.bad = self.failed = self.read = self.with_findings = self.failing = 0
        self.worst: Counter = Counter()
        self.rules: Counter = Counter()
        self.rule_info: dict[str, tuple[str, str]] = {}
        self.groups: dict[str, dict[str, list]] = {"phase": {}, "impact_area": {}}
        self.urgent = MostUrgent(top)
        self.interrupted = False

    def add(self, b: Brief) -> None:
        index = self.read
        self.read += 1
        self.assessed += 1
        findings = b.findings
        worst = b.worst
        self.worst[worst] += 1
        rules = {f.rule for f in findings}
        for f in findings:
            self.rules[f.rule] += 1
            self.rule_info.setdefault(f.rule, (f.title, f.severity))
        for kind, key in (("phase", b.phase), ("impact_area", b.area)):
            group = self.groups[kind].setdefault(key or "unknown", [0, 0, Counter()])
            group[0] += 1
            group[1] += bool(findings)
            group[2].update(rules)
        if findings:
            self.with_findings += 1
            if reaches(worst, self.fail_on):
                self.failing += 1
        if b.first_item is not None:
            self.urgent.add(b, index)

    def add_problem(self, failed: bool) -> None:
        self.read += 1
        if failed:
            self.failed += 1
        else:
            self.bad += 1

    def _percent(self, count: int, of: int) -> float:
        return round(100.0 * count / of, 1) if of else 0.0

    def _findings(self, counter: Counter, of: int) -> list[dict]:
        ranked = sorted(counter.items(), key=lambda kv: (-kv[1], SEVERITY_RANK[self.rule_info[kv[0]][1]], kv[0]))
        return [
            {
                "rule": rule,
                "title": self.rule_info[rule][0],
                "severity": self.rule_info[rule][1],
                "count": n,
                "percent": self._percent(n, of),
            }
            for rule, n in ranked
        ]

    def _groups(self, kind: str, order: list[str]) -> list[dict]:
        groups = self.groups[kind]
        keys = [k for k in order if k in groups] + sorted(k for k in groups if k not in order)
        return [
            {
                kind: key,
                "assessed": groups[key][0],
                "with_findings": groups[key][1],
                "findings": self._findings(groups[key][2], groups[key][0]),
            }
            for key in keys
        ]

    def summary(self) -> AuditSummary:
        urgent = []
        for rank, b in enumerate(self.urgent.best(), 1):
            counts = b.severity_counts()
            urgent.append({
                "rank": rank,
                "id": b.id,
                "name": b.name,
                "phase": b.phase,
                "impact_area": b.area,
                "source": b.source,
                "location": b.location,
                "urgency": b.urgency_dict(),
                "findings": len(b.findings),
                "by_severity": {s: counts.get(s, 0) for s in SEVERITIES},
                "top_finding": asdict(b.top) if b.top else None,
            })
        return AuditSummary(
            assessed=self.assessed,
            bad_records=self.bad,
            failed_records=self.failed,
            records_read=self.read,
            interrupted=self.interrupted,
            with_findings=self.with_findings,
            fail_on=self.fail_on,
            at_or_above_fail_on=self.failing,
            by_worst_severity={s: self.worst.get(s, 0) for s in (*SEVERITIES, "none")},
            most_urgent=urgent,
            common_findings=self._findings(self.rules, self.assessed),
            by_phase=self._groups("phase", [*PHASES, "unknown"]),
            by_impact_area=self._groups("impact_area", [*IMPACT_AREAS, "unknown"]),
        )


def exit_code(summary: AuditSummary, strict: bool = False) -> int:
    """130 if stopped by the user; 2 for a failed record (or, with strict, a bad one); 1 for findings at or above --fail-on."""
    if summary.interrupted:
        return EXIT_INTERRUPTED
    if summary.failed_records or (strict and summary.bad_records):
        return EXIT_ERROR
    return EXIT_FINDINGS if summary.at_or_above_fail_on else EXIT_OK
