"""The neutral result of assessing one partnership, and how it is built from what the engine fired.

Findings are ordered by severity, then by the practitioners' ranking of the requirements they rest
on, then by rule id: the same input always gives the same output in the same order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from functools import lru_cache
from operator import itemgetter
from typing import Any, Optional

from ..facts.derive import FACTS, flatten, infer_phase
from ..facts.model import PHASE_ORDER, Partnership
from ..facts.vocabulary import SEVERITY_RANK
from . import conditions as cond
from .rulebase import NEXT_GATE, PLACEHOLDER, LoadedRule, RuleBase, finding_ref
from .runner import Ledger

ANSWER_ITEMS = 7  # "what is wrong" names at most this many problems; the rest follow in the details
TOP_ACTIONS = 3
_MISSING = object()
_MEMO_LIMIT = 20_000  # entries of the gaps memo, per process: about 1 KB each


class _Plain:
    """A result whose JSON form is its fields, in the order they are declared.

    Lists are copied one level deep, which is all these results hold (evidence items are built
    fresh for each assessment); dataclasses.asdict's deep copy costs several times more per result.
    """

    def to_dict(self) -> dict:
        return {f.name: _copied(getattr(self, f.name)) for f in fields(self)}


def _copied(value):
    return list(value) if isinstance(value, list) else value


@dataclass
class Finding(_Plain):
    rule: str
    title: str
    severity: str
    priority: int
    area: str
    kind: str
    message: str
    rationale: str
    actions: list[str]
    evidence: list[dict]
    sources: list[str]


@dataclass
class Diagnosis(_Plain):
    """A root problem named from findings and facts across areas; it gathers the findings it explains."""

    rule: str
    title: str
    severity: str
    priority: int
    message: str
    rationale: str
    findings: list[str]
    actions: list[str]
    evidence: list[dict]
    sources: list[str]


@dataclass
class Item(_Plain):
    """One answer to "what is wrong": a diagnosis, or a finding that no diagnosis explains."""

    kind: str  # "diagnosis" or "finding"
    rule: str
    title: str
    severity: str
    priority: int
    message: str
    findings: list[str]


@dataclass
class TopAction(_Plain):
    """One of the actions that would do most overall, and the problems it works on."""

    action: str
    resolves: list[str]  # rule ids of the items it works on, most urgent first
    resolves_titles: list[str]


@dataclass
class Possibility:
    """A concern raised but not established, and the findings it would bring if it were borne out."""

    fact: str
    value: Any
    note: Optional[str]
    findings: list[tuple[str, str, str]]  # (rule, title, severity)

    def to_dict(self) -> dict:
        return {
            "fact": self.fact,
            "value": self.value,
            "note": self.note,
            "findings": [{"rule": r, "title": t, "severity": s} for r, t, s in self.findings],
        }


@dataclass
class Strength(_Plain):
    rule: str
    title: str
    area: str
    message: str
    evidence: list[dict]
    sources: list[str]


@dataclass
class Criterion(_Plain):
    id: str
    title: str
    met: Optional[bool]
    actions: list[str]
    sources: list[str]


@dataclass
class PhaseStatus:
    declared: Optional[str]  # the phase assessed on: as the file says, or as assumed from what exists
    next: Optional[str]
    ready_for_next: Optional[bool]
    criteria: list[Criterion]
    next_actions: list[str]
    assumed: bool = False
    basis: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "declared": self.declared,
            "assumed": self.assumed,
            "basis": list(self.basis),
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
    diagnoses: list[Diagnosis] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    top_actions: list[TopAction] = field(default_factory=list)
    possibilities: list[Possibility] = field(default_factory=list)
    phase_assumed: bool = False
    source: Optional[str] = None
    # The facts that were assessed, for renderers that show them as data (funding shares, partners'
    # ratings in the HTML report). Not part of to_dict: the JSON result stays as it was.
    partnership: Optional[Partnership] = field(default=None, repr=False, compare=False)

    def worst_severity(self) -> Optional[str]:
        """The most severe finding's severity (findings follow the items, so it need not be the first's)."""
        return min((f.severity for f in self.findings), key=SEVERITY_RANK.__getitem__, default=None)

    def to_dict(self) -> dict:
        return {
            "partnership": {
                "id": self.id,
                "name": self.name,
                "phase": self.phase,
                "phase_assumed": self.phase_assumed,
                "impact_area": self.area,
            },
            "what_is_wrong": {
                "items": [i.to_dict() for i in self.items[:ANSWER_ITEMS]],
                "more_items": max(0, len(self.items) - ANSWER_ITEMS),
                "actions": [a.to_dict() for a in self.top_actions],
            },
            "diagnoses": [d.to_dict() for d in self.diagnoses],
            "findings": [f.to_dict() for f in self.findings],
            "strengths": [s.to_dict() for s in self.strengths],
            "phase": self.phase_status.to_dict(),
            "concerns": [c.to_dict() for c in self.possibilities],
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


def render_message(template: str, facts: dict[str, Any]) -> str:
    """Fill {fact.name} placeholders from the facts; nothing else in a template is interpreted."""
    return PLACEHOLDER.sub(lambda m: format_value(facts.get(m.group(1))), template)


def _order(f: Finding) -> tuple:
    return (SEVERITY_RANK[f.severity], -f.priority, f.rule)


def _follow_items(findings: list[Finding], items: list["Item"]) -> list[Finding]:
    """Findings in the order of the items: first each item's leading finding, then the rest by item.

    So the first findings of a report are different problems, not one problem told several ways.
    """
    by_id = {f.rule: f for f in findings}
    leads = [by_id[i.findings[0]] for i in items if i.findings]
    rest = [by_id[fid] for i in items for fid in i.findings[1:]]
    return leads + rest


class Builder:
    """Turns one partnership's facts and ledger into an Assessment."""

    def __init__(self, rb: RuleBase):
        self.rb = rb
        self.derived_names = set(rb.deriving)
        self.findings = [r for r in rb.rules if r.rule.type == "finding"]
        self.strengths = [r for r in rb.rules if r.rule.type == "strength"]
        self.diagnoses = [r for r in rb.rules if r.rule.type == "diagnosis"]
        self._reads_findings = {
            r.id: any(finding_ref(leaf.name) for leaf in cond.leaves(r.condition)) for r in self.diagnoses
        }
        self._refs = {
            leaf.name: ref
            for r in self.diagnoses
            for leaf in cond.leaves(r.condition)
            if (ref := finding_ref(leaf.name)) is not None
        }
        # What does not change from one partnership to the next is worked out once, not per build.
        self.priority = {r.id: rb.priority(r) for r in rb.rules}
        # A rule's weight as a source of questions: the most it can weigh, whatever its severity turns out.
        self.max_priority = {
            r.id: max([rb.priority(r)] + [rb.priority(r, sev) for _, sev in r.escalations]) for r in rb.rules
        }
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
        self._unknowns: dict[tuple, Optional[tuple[str, ...]]] = {}
        self._plans: dict[frozenset, list[tuple]] = {}
        self._read_names: list[str] = []
        self._read_index: dict[str, int] = {}

    def evidence(self, r: LoadedRule, outcome, ledger: Ledger, facts: dict, depth: int = 0) -> list[dict]:
        """The facts (and derived facts, with their own evidence) behind one outcome of a rule.

        For a finding whose severity came from a `severity_if`, the evidence of that outcome, which
        holds the facts that raised or lowered its severity too.
        """
        if outcome is True:
            step = self._severity_step(r, ledger)
            if step is not None:
                outcome = f"severity {step}"
        alternatives = ledger.fired.get((r.id, outcome), [])
        conjuncts = self._dnf.get((r.id, outcome))
        if conjuncts is None:
            if isinstance(outcome, str):
                node = cond.And((r.condition, r.escalations[int(outcome.split()[1])][0]))
            else:
                node = r.condition if outcome else cond.Not(r.condition)
            conjuncts = self._dnf[(r.id, outcome)] = cond.dnf(node)
        seen, out = set(), []
        for i in sorted(set(alternatives)):
            for leaf in conjuncts[i]:
                if leaf.name in seen:
                    continue
                seen.add(leaf.name)
                ref = self._refs.get(leaf.name)
                if ref is not None:
                    found = self.rb.by_id[ref]
                    out.append({"finding": ref, "value": ledger.derived.get(leaf.name), "title": found.rule.title})
                elif leaf.name in self.derived_names:
                    by = self.rb.deriving[leaf.name]
                    value = ledger.derived.get(leaf.name)
                    item = {"derived": leaf.name, "value": value, "rule": by.id, "title": by.rule.title}
                    if depth < 10 and value is not None:
                        item["because"] = self.evidence(by, value, ledger, facts, depth + 1)
                    out.append(item)
                elif leaf.name == "phase_index":  # how a rule's phases are tested; shown as the phase
                    if "phase" not in seen:
                        seen.add("phase")
                        out.append({"fact": "phase", "value": facts.get("phase")})
                else:
                    out.append({"fact": leaf.name, "value": facts.get(leaf.name)})
        return out

    @staticmethod
    def known(facts: dict[str, Any], ledger: Ledger) -> dict[str, Any]:
        """What is known of a partnership: its facts and what the rules derived from them."""
        known = dict(facts)
        known.update(ledger.derived)
        return known

    def _severity_step(self, r: LoadedRule, ledger: Ledger) -> Optional[int]:
        """The `severity_if` step that sets the rule's severity here: the first that held, unless a weights
        file sets the severity."""
        if r.escalations and r.id not in self.rb.weights.severity:
            for i in range(len(r.escalations)):
                if (r.id, f"severity {i}") in ledger.fired:
                    return i
        return None

    def severity_of(self, r: LoadedRule, ledger: Ledger) -> str:
        """The rule's severity for this partnership: a weights file's, else the first `severity_if` that held."""
        if r.id in self.rb.weights.severity:
            return self.rb.weights.severity[r.id]
        step = self._severity_step(r, ledger)
        return r.escalations[step][1] if step is not None else r.rule.severity or "low"

    def build(
        self, p: Partnership, facts: dict[str, Any], ledger: Ledger, assumed: Optional[list[str]] = None,
        detail: bool = True,
    ) -> Assessment:
        """The assessment of `p` (whose phase may be an assumption, explained by `assumed`).

        Without `detail` (a portfolio summary, which shows findings and problems only) the evidence,
        the gaps and the top actions are left empty: the findings, diagnoses and items are the same.
        """
        rb = self.rb
        evidence = self.evidence if detail else _no_evidence
        known = self.known(facts, ledger)
        findings = []
        for r in self.findings:
            if ledger.outcome(r.id) is True:
                severity = self.severity_of(r, ledger)
                findings.append(
                    Finding(
                        rule=r.id,
                        title=r.rule.title,
                        severity=severity,
                        priority=rb.priority(r, severity),
                        area=r.rule.area,
                        kind=r.rule.kind,
                        message=render_message(r.rule.message or "", facts),
                        actions=list(r.rule.actions),
                        evidence=evidence(r, True, ledger, facts),
                        sources=list(r.rule.sources),
                        rationale=self.rationale[r.id],
                    )
                )
        findings.sort(key=_order)
        diagnoses, items = self.answer(findings, ledger, facts, evidence)
        findings = _follow_items(findings, items)
        strengths = [
            Strength(
                rule=r.id,
                title=r.rule.title,
                area=r.rule.area,
                message=render_message(r.rule.message or "", facts),
                evidence=evidence(r, True, ledger, facts),
                sources=list(r.rule.sources),
            )
            for r in self.strengths
            if ledger.outcome(r.id) is True
        ]
        phase_status = self.phase_status(p.phase, ledger, known)
        gaps = self.gaps(known, phase_status) if detail else []
        if assumed is not None:
            phase_status.assumed, phase_status.basis = True, list(assumed)
            question = FACTS["phase"].question
            if detail:
                gaps.insert(0, Gap("phase", question + " (assumed: " + str(p.phase) + ")", [], 10_000))
        return Assessment(
            id=p.id or slug(p.name),
            name=p.name,
            phase=p.phase,
            area=p.impact_area,
            findings=findings,
            strengths=strengths,
            phase_status=phase_status,
            gaps=gaps,
            derived={k: v for k, v in sorted(ledger.derived.items()) if k in self.derived_names},
            diagnoses=diagnoses,
            items=items,
            top_actions=self.top_actions(items, diagnoses, findings) if detail else [],
            phase_assumed=assumed is not None,
            partnership=p,
        )

    def answer(
        self, findings: list[Finding], ledger: Ledger, facts: dict, evidence=None
    ) -> tuple[list[Diagnosis], list[Item]]:
        """The diagnoses that hold, each with the findings it explains, and the items of "what is wrong".

        Each finding is gathered by at most one diagnosis: the most urgent one that lists it. A
        diagnosis is at least as severe as the worst finding it gathers.
        """
        rb = self.rb
        by_id = {f.rule: f for f in findings}
        held = []
        for r in self.diagnoses:
            if ledger.outcome(r.id) is True:
                severity = self.severity_of(r, ledger)
                held.append((SEVERITY_RANK[severity], -rb.priority(r, severity), r.id, r, severity))
        held.sort(key=lambda t: t[:3])
        owner: dict[str, str] = {}
        diagnoses: list[Diagnosis] = []
        for _, _, _, r, severity in held:
            gathered = [by_id[i] for i in r.rule.gathers or [] if i in by_id and i not in owner]
            if not gathered and self._reads_findings[r.id]:
                continue  # every finding it would explain is explained by a more urgent diagnosis
            for f in gathered:
                owner[f.rule] = r.id
            gathered.sort(key=_order)
            if gathered and SEVERITY_RANK[gathered[0].severity] < SEVERITY_RANK[severity]:
                severity = gathered[0].severity
            # A root problem is as urgent as the most urgent finding it explains, and more urgent the
            # more findings it explains (3 points for each further one, at most 15).
            priority = max([rb.priority(r, severity)] + [f.priority for f in gathered if f.severity == severity])
            priority += min(15, 3 * max(0, len(gathered) - 1))
            diagnoses.append(
                Diagnosis(
                    rule=r.id,
                    title=r.rule.title,
                    severity=severity,
                    priority=priority,
                    message=render_message(r.rule.message or "", facts),
                    findings=[f.rule for f in gathered],
                    actions=list(r.rule.actions),
                    evidence=(evidence or self.evidence)(r, True, ledger, facts),
                    sources=list(r.rule.sources),
                    rationale=self.rationale[r.id],
                )
            )
        diagnoses.sort(key=lambda d: (SEVERITY_RANK[d.severity], -d.priority, d.rule))
        items = [Item("diagnosis", d.rule, d.title, d.severity, d.priority, d.message, list(d.findings)) for d in diagnoses]
        items += [
            Item("finding", f.rule, f.title, f.severity, f.priority, f.message, [f.rule])
            for f in findings
            if f.rule not in owner
        ]
        items.sort(key=lambda i: item_key(i.severity, i.priority, i.kind, i.rule))
        return diagnoses, items

    def top_actions(self, items: list[Item], diagnoses: list[Diagnosis], findings: list[Finding]) -> list[TopAction]:
        """The actions that would do most overall: each scored by the priorities of the problems it works on.

        A diagnosis's own actions work on every finding it gathers; the same action written in several
        rules counts once, for all of them. The choice prefers actions on problems not yet covered.
        """
        by_finding = {f.rule: f for f in findings}
        by_diagnosis = {d.rule: d for d in diagnoses}
        score: dict[str, int] = {}
        text: dict[str, str] = {}
        works_on: dict[str, list[str]] = {}
        order: dict[str, int] = {}

        def add(action: str, points: int, item: Item) -> None:
            key = _action_key(action)
            text.setdefault(key, action)
            order.setdefault(key, len(order))
            score[key] = score.get(key, 0) + points
            if item.rule not in works_on.setdefault(key, []):
                works_on[key].append(item.rule)

        for item in items:
            if item.kind == "diagnosis":
                d = by_diagnosis[item.rule]
                weight = d.priority + sum(by_finding[i].priority for i in d.findings)
                for a in d.actions:
                    add(a, weight, item)
            for fid in item.findings:
                for a in by_finding[fid].actions:
                    add(a, by_finding[fid].priority, item)
        ranked = sorted(score, key=lambda k: (-score[k], order[k]))
        chosen: list[str] = []
        covered: set[str] = set()
        for key in ranked:
            if len(chosen) == TOP_ACTIONS:
                break
            if not set(works_on[key]) <= covered:
                chosen.append(key)
                covered.update(works_on[key])
        for key in ranked:
            if len(chosen) < TOP_ACTIONS and key not in chosen:
                chosen.append(key)
        titles = {i.rule: i.title for i in items}
        rank = {i.rule: n for n, i in enumerate(items)}
        out = []
        for key in chosen:
            rules = sorted(works_on[key], key=lambda r: rank[r])
            out.append(TopAction(text[key], rules, [titles[r] for r in rules]))
        return out

    def phase_status(self, phase: Optional[str], ledger: Ledger, known: dict[str, Any]) -> PhaseStatus:
        if phase is None:
            return PhaseStatus(None, None, None, [], [])
        gate = NEXT_GATE[phase]
        nxt = PHASE_ORDER[PHASE_ORDER.index(phase) + 1] if phase != PHASE_ORDER[-1] else None
        # A criterion whose `unless:` is known to hold does not apply to this partnership (a
        # secretariat between two partners); while that is unknown, the criterion stands.
        rules = [r for r in self.gates.get(gate, []) if r.unless is None or cond.evaluate(r.unless, known) is not True]
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

    def _base_unknowns(self, r: LoadedRule, known: dict, seen: set, node: Optional[cond.Node] = None) -> list[str]:
        """The input facts whose answers could decide `node` (by default the rule's condition)."""
        out: list[str] = []
        for leaf in cond.undecided_leaves(r.condition if node is None else node, known):
            by = self.rb.worked_out_by(leaf.name)
            if by is not None:
                if leaf.name not in seen:
                    seen.add(leaf.name)
                    out.extend(self._base_unknowns(by, known, seen))
            else:
                spec = FACTS.get(leaf.name)
                out.extend(spec.asks if spec is not None and spec.computed else [leaf.name])
        return out

    def _gap_plan(self, gate_ids: frozenset) -> list[tuple]:
        """For the finding rules and these gate rules: (rule, id, priority, getter of the values it reads)."""
        plan = self._plans.get(gate_ids)
        if plan is None:
            plan = []
            for r in list(self.findings) + list(self.diagnoses) + [self.rb.by_id[i] for i in sorted(gate_ids)]:
                index = []
                for name in self.rb.reads_closure(r):
                    if name not in self._read_index:
                        self._read_index[name] = len(self._read_names)
                        self._read_names.append(name)
                    index.append(self._read_index[name])
                getter = itemgetter(*index) if index else (lambda values: ())
                plan.append((r, r.id, self.max_priority[r.id], getter))
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
                decided = cond.evaluate(r.condition, known)
                if decided is None:
                    unknowns = tuple(dict.fromkeys(self._base_unknowns(r, known, set())))
                elif decided:
                    # The rule holds, but an unknown fact of its `unless:` could still silence it, and
                    # one of a `severity_if:` could change its severity.
                    names: list[str] = []
                    if r.unless is not None and cond.evaluate(r.unless, known) is None:
                        names += self._base_unknowns(r, known, set(), r.unless)
                    for extra, _ in r.escalations:
                        if cond.evaluate(extra, known) is None:
                            names += self._base_unknowns(r, known, set(), extra)
                    unknowns = tuple(dict.fromkeys(names)) or None
                elif r.rule.type == "gate" and r.unless is not None and cond.evaluate(r.unless, known) is None:
                    # An unmet criterion that may not apply at all: what would settle that is worth asking.
                    unknowns = tuple(dict.fromkeys(self._base_unknowns(r, known, set(), r.unless))) or None
                else:
                    unknowns = None
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


def item_key(severity: Optional[str], priority: int, kind: str, rule: str) -> tuple:
    """The order of the items of "what is wrong": most severe, then most priority points, a diagnosis
    before a finding, then by rule id."""
    return (SEVERITY_RANK.get(severity, len(SEVERITY_RANK)), -priority, kind != "diagnosis", rule)


def prepare(p: Partnership) -> tuple[Partnership, Optional[list[str]], dict[str, Any]]:
    """A partnership as it is assessed: on its phase, or on the phase its facts suggest (then with the
    reasons), and its facts flattened for the engine."""
    basis = None
    if p.phase is None:
        phase, basis = infer_phase(p)
        p = p.model_copy(update={"phase": phase})
    return p, basis, flatten(p)


def assess_partnerships(
    engine, builder: Builder, partnerships: list[Partnership], detail: bool = True
) -> list[Assessment]:
    """Assess partnerships with one engine and builder; results in the same order.

    A partnership that does not say its phase is assessed on the phase its facts suggest, and the
    assessment says so. Each concern raised but not established is tried as if it were borne out,
    by the engine, to show which findings it would bring. Without `detail`, see Builder.build; the
    concerns are not tried either.
    """
    prepared = [prepare(p) for p in partnerships]
    ledgers = engine.run([flat for _, _, flat in prepared])
    out = []
    for p, (q, basis, flat), ledger in zip(partnerships, prepared, ledgers):
        result = builder.build(q, flat, ledger, basis, detail)
        result.partnership = p
        if p.concerns and detail:
            result.possibilities = _possibilities(engine, builder, q, ledger)
        out.append(result)
    return out


@lru_cache(maxsize=4096)
def _action_key(action: str) -> str:
    """The same action written in several rules (case, spacing, a final full stop aside) counts once."""
    return " ".join(action.lower().split()).rstrip(".")


def _no_evidence(r: LoadedRule, outcome, ledger: Ledger, facts: dict) -> list[dict]:
    return []


def _possibilities(engine, builder: Builder, p: Partnership, ledger: Ledger) -> list[Possibility]:
    out = []
    for concern in p.concerns or []:
        data = p.model_dump(exclude_none=True)
        where = data
        *path, last = concern.fact.split(".")
        for key in path:
            where = where.setdefault(key, {})
        where[last] = concern.value
        try:
            hypothetical = Partnership.model_validate(data)
        except ValueError:
            continue  # a value the model refuses in this place brings nothing to try
        trial = engine.run([flatten(hypothetical)])[0]
        new = []
        for r in builder.findings:
            if trial.outcome(r.id) is True and ledger.outcome(r.id) is not True:
                new.append((r.id, r.rule.title, builder.severity_of(r, trial)))
        new.sort(key=lambda t: (SEVERITY_RANK[t[2]], t[0]))
        out.append(Possibility(concern.fact, concern.value, concern.note, new))
    return out
