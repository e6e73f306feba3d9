"""The neutral result of assessing one partnership, and how it is built from what the engine fired.

Findings are ordered by severity, then by the practitioners' ranking of the requirements they rest
on, then by rule id: the same input always gives the same output in the same order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Optional

from ..facts.derive import FACTS
from ..facts.model import PHASE_ORDER, Partnership
from ..facts.vocabulary import SEVERITY_RANK
from . import conditions as cond
from .rulebase import NEXT_GATE, LoadedRule, RuleBase
from .runner import Ledger

_MISSING = object()
_MEMO_LIMIT = 200_000


@dataclass
class Finding:
    rule: str
    title: str
    severity: str
    priority: int
    area: str
    kind: str
    message: str
    actions: list[str]
    evidence: list[dict]
    sources: list[str]
    rationale: str

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "title": self.title,
            "severity": self.severity,
            "priority": self.priority,
            "area": self.area,
            "kind": self.kind,
            "message": self.message,
            "rationale": self.rationale,
            "actions": list(self.actions),
            "evidence": self.evidence,
            "sources": list(self.sources),
        }


@dataclass
class Strength:
    rule: str
    title: str
    area: str
    message: str
    evidence: list[dict]
    sources: list[str]

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "title": self.title,
            "area": self.area,
            "message": self.message,
            "evidence": self.evidence,
            "sources": list(self.sources),
        }


@dataclass
class Criterion:
    id: str
    title: str
    met: Optional[bool]
    actions: list[str]
    sources: list[str]

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "met": self.met, "actions": list(self.actions), "sources": list(self.sources)}


@dataclass
class PhaseStatus:
    declared: Optional[str]
    next: Optional[str]
    ready_for_next: Optional[bool]
    criteria: list[Criterion]
    next_actions: list[str]

    def to_dict(self) -> dict:
        return {
            "declared": self.declared,
            "next": self.next,
            "ready_for_next": self.ready_for_next,
            "criteria": [c.to_dict() for c in self.criteria],
            "next_actions": list(self.next_actions),
        }


@dataclass
class Gap:
    fact: str
    question: str
    rules: list[str]
    weight: int

    def to_dict(self) -> dict:
        return {"fact": self.fact, "question": self.question, "rules": list(self.rules)}


@dataclass
class Assessment:
    id: str
    name: str
    phase: Optional[str]
    area: Optional[str]
    findings: list[Finding]
    strengths: list[Strength]
    phase_status: PhaseStatus
    gaps: list[Gap]
    derived: dict[str, bool] = field(default_factory=dict)
    source: Optional[str] = None
    # The facts that were assessed, for renderers that show them as data (funding shares, partners'
    # ratings in the HTML report). Not part of to_dict: the JSON result stays as it was.
    partnership: Optional[Partnership] = field(default=None, repr=False, compare=False)

    def worst_severity(self) -> Optional[str]:
        return self.findings[0].severity if self.findings else None

    def to_dict(self) -> dict:
        return {
            "partnership": {"id": self.id, "name": self.name, "phase": self.phase, "impact_area": self.area},
            "findings": [f.to_dict() for f in self.findings],
            "strengths": [s.to_dict() for s in self.strengths],
            "phase": self.phase_status.to_dict(),
            "gaps": [g.to_dict() for g in self.gaps],
        }


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:60] or "partnership"


def format_value(value: Any) -> str:
    """A fact's value as words: lists as 'A, B and C', whole numbers without decimals, yes/no."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        items = [str(v) for v in value]
        if not items:
            return "none"
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    return str(value).replace("_", " ") if re.fullmatch(r"[a-z_]+", str(value)) else str(value)


_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")


def render_message(template: str, facts: dict[str, Any]) -> str:
    """Fill {fact.name} placeholders from the facts; nothing else in a template is interpreted."""
    return _PLACEHOLDER.sub(lambda m: format_value(facts.get(m.group(1))), template)


class Builder:
    """Turns one partnership's facts and ledger into an Assessment."""

    def __init__(self, rb: RuleBase):
        self.rb = rb
        self.derived_names = set(rb.deriving)
        self.findings = [r for r in rb.rules if r.rule.type == "finding"]
        self.strengths = [r for r in rb.rules if r.rule.type == "strength"]
        # What does not change from one partnership to the next is worked out once, not per build.
        self.priority = {r.id: rb.priority(r) for r in rb.rules}
        self.rationale = {r.id: " ".join(r.rule.rationale.split()) for r in rb.rules}
        self.gates: dict[str, list[LoadedRule]] = {}
        for r in rb.rules:
            if r.rule.type == "gate":
                self.gates.setdefault(r.rule.gate, []).append(r)
        for rules in self.gates.values():
            rules.sort(key=lambda r: (-self.priority[r.id], r.id))
        self.ask_questions: dict[str, str] = {}
        # A computed fact that asks one thing words the question best, so it goes first.
        for spec in sorted(FACTS.values(), key=lambda s: (len(s.asks), s.name)):
            for ask in spec.asks:
                self.ask_questions.setdefault(ask, spec.question)
        # Memos that make evidence and gaps cheap in a portfolio audit; they never change an output.
        self._dnf: dict[tuple[str, bool], list] = {}
        self._closure: dict[str, tuple[str, ...]] = {}
        self._unknowns: dict[tuple, Optional[tuple[str, ...]]] = {}
        self._plans: dict[frozenset, list[tuple]] = {}
        self._read_names: list[str] = []
        self._read_index: dict[str, int] = {}

    def evidence(self, r: LoadedRule, outcome: bool, ledger: Ledger, facts: dict, depth: int = 0) -> list[dict]:
        alternatives = ledger.fired.get((r.id, outcome), [])
        conjuncts = self._dnf.get((r.id, outcome))
        if conjuncts is None:
            node = r.condition if outcome else cond.Not(r.condition)
            conjuncts = self._dnf[(r.id, outcome)] = cond.dnf(node)
        seen, out = set(), []
        for i in sorted(set(alternatives)):
            for leaf in conjuncts[i]:
                if leaf.name in seen:
                    continue
                seen.add(leaf.name)
                if leaf.name in self.derived_names:
                    by = self.rb.deriving[leaf.name]
                    value = ledger.derived.get(leaf.name)
                    item = {"derived": leaf.name, "value": value, "rule": by.id, "title": by.rule.title}
                    if depth < 10 and value is not None:
                        item["because"] = self.evidence(by, value, ledger, facts, depth + 1)
                    out.append(item)
                else:
                    out.append({"fact": leaf.name, "value": facts.get(leaf.name)})
        return out

    def build(self, p: Partnership, facts: dict[str, Any], ledger: Ledger) -> Assessment:
        rb = self.rb
        known = dict(facts)
        known.update(ledger.derived)
        findings = []
        for r in self.findings:
            if ledger.outcome(r.id) is True:
                findings.append(
                    Finding(
                        rule=r.id,
                        title=r.rule.title,
                        severity=rb.severity(r),
                        priority=self.priority[r.id],
                        area=r.rule.area,
                        kind=r.rule.kind,
                        message=render_message(r.rule.message or "", facts),
                        actions=list(r.rule.actions),
                        evidence=self.evidence(r, True, ledger, facts),
                        sources=list(r.rule.sources),
                        rationale=self.rationale[r.id],
                    )
                )
        findings.sort(key=lambda f: (SEVERITY_RANK[f.severity], -f.priority, f.rule))
        strengths = [
            Strength(
                rule=r.id,
                title=r.rule.title,
                area=r.rule.area,
                message=render_message(r.rule.message or "", facts),
                evidence=self.evidence(r, True, ledger, facts),
                sources=list(r.rule.sources),
            )
            for r in self.strengths
            if ledger.outcome(r.id) is True
        ]
        phase_status = self.phase_status(p.phase, ledger)
        gaps = self.gaps(known, phase_status)
        return Assessment(
            id=p.id or slug(p.name),
            name=p.name,
            phase=p.phase,
            area=p.impact_area,
            findings=findings,
            strengths=strengths,
            phase_status=phase_status,
            gaps=gaps,
            derived=dict(sorted(ledger.derived.items())),
            partnership=p,
        )

    def phase_status(self, phase: Optional[str], ledger: Ledger) -> PhaseStatus:
        if phase is None:
            return PhaseStatus(None, None, None, [], [])
        gate = NEXT_GATE[phase]
        nxt = PHASE_ORDER[PHASE_ORDER.index(phase) + 1] if phase != PHASE_ORDER[-1] else None
        rules = self.gates.get(gate, [])
        criteria = [
            Criterion(r.id, r.rule.title, ledger.outcome(r.id), list(r.rule.actions), list(r.rule.sources)) for r in rules
        ]
        if not criteria:
            ready = None
        elif any(c.met is False for c in criteria):
            ready = False
        elif all(c.met is True for c in criteria):
            ready = True
        else:
            ready = None
        actions: list[str] = []
        for c in criteria:
            if c.met is False:
                actions.extend(a for a in c.actions if a not in actions)
        return PhaseStatus(phase, nxt or ("continuation" if gate == "continuation" else None), ready, criteria, actions)

    def _base_unknowns(self, r: LoadedRule, known: dict, seen: set) -> list[str]:
        out: list[str] = []
        for leaf in cond.undecided_leaves(r.condition, known):
            if leaf.name in self.derived_names:
                if leaf.name not in seen:
                    seen.add(leaf.name)
                    out.extend(self._base_unknowns(self.rb.deriving[leaf.name], known, seen))
            else:
                spec = FACTS.get(leaf.name)
                out.extend(spec.asks if spec is not None and spec.computed else [leaf.name])
        return out

    def _reads_closure(self, r: LoadedRule) -> tuple[str, ...]:
        """Every fact name `r` reads, directly or through the rules that derive what it reads."""
        names = self._closure.get(r.id)
        if names is None:
            out: dict[str, None] = {}
            stack, seen = [r], {r.id}
            while stack:
                rule = stack.pop()
                for name in rule.reads:
                    out[name] = None
                    by = self.rb.deriving.get(name) if name in self.derived_names else None
                    if by is not None and by.id not in seen:
                        seen.add(by.id)
                        stack.append(by)
            names = self._closure[r.id] = tuple(out)
        return names

    def _gap_plan(self, gate_ids: frozenset) -> list[tuple]:
        """For the finding rules and these gate rules: (rule, id, priority, getter of the values it reads)."""
        plan = self._plans.get(gate_ids)
        if plan is None:
            plan = []
            for r in list(self.findings) + [self.rb.by_id[i] for i in sorted(gate_ids)]:
                index = []
                for name in self._reads_closure(r):
                    if name not in self._read_index:
                        self._read_index[name] = len(self._read_names)
                        self._read_names.append(name)
                    index.append(self._read_index[name])
                getter = itemgetter(*index) if index else (lambda values: ())
                plan.append((r, r.id, self.priority[r.id], getter))
            self._plans[gate_ids] = plan
        return plan

    def gaps(self, known: dict, phase_status: PhaseStatus) -> list[Gap]:
        """Unknown facts that could still make a finding fire or a next-phase criterion be decided.

        Whether a rule is decided, and which unknown facts could decide it, depends only on the values
        of the facts it reads (through derive rules too), so the answer is memoised on those values:
        the partnerships of a portfolio repeat the same few patterns per rule. Each fact has one type
        in the fact model, so equal keys (1 == 1.0) always mean the same answer.
        """
        plan = self._gap_plan(frozenset(c.id for c in phase_status.criteria))
        values = [known.get(name) for name in self._read_names]
        memo = self._unknowns
        weights: dict[str, int] = {}
        affected: dict[str, list[str]] = {}
        for r, rid, priority, getter in plan:
            try:
                key: Optional[tuple] = (rid, getter(values))
                unknowns = memo.get(key, _MISSING)
            except TypeError:  # a list-valued fact is not hashable: work it out afresh
                key, unknowns = None, _MISSING
            if unknowns is _MISSING:
                if cond.evaluate(r.condition, known) is not None:
                    unknowns = None
                else:
                    unknowns = tuple(dict.fromkeys(self._base_unknowns(r, known, set())))
                if key is not None:
                    if len(memo) >= _MEMO_LIMIT:
                        memo.clear()
                    memo[key] = unknowns
            if unknowns is None:
                continue
            for name in unknowns:
                weight = weights.get(name, 0)
                weights[name] = priority if priority > weight else weight
                affected.setdefault(name, []).append(rid)
        gaps = []
        for name, weight in weights.items():
            spec = FACTS.get(name)
            question = spec.question if spec is not None else self.ask_questions.get(name, name)
            gaps.append(Gap(name, question, sorted(affected[name]), weight))
        gaps.sort(key=lambda g: (-g.weight, -len(g.rules), g.fact))
        return gaps
