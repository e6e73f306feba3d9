"""What is still at stake in an interview: which rules further answers could change, and through which facts.

The engine decides what fires on the facts so far. This module answers the other question, "what
could still change?", with the three-valued condition language: every fact that is not yet asked
(open) may still turn out true, false or unknown, while a fact answered, or closed as unknown, is
settled. Each condition is evaluated to the *set* of values it can still take. The analysis ignores
that two leaves may read the same fact, so it can only over-state what is open, never under-state it:
when it says a rule can no longer change, no answer can change it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from ..engine import conditions as cond
from ..engine.assessment import item_key
from ..engine.rulebase import LoadedRule, RuleBase
from ..engine.runner import Ledger
from ..facts.derive import FACTS, ORGANISATION_FLAGS, PARTNER_FLAGS
from ..facts.vocabulary import SECTORS, SEVERITIES, SEVERITY_RANK

T, F, N = True, False, None
ANY = frozenset((T, F, N))
KNOWN_OR_NOT = frozenset((T, F))

# Computed numbers that more answers can only move one way: a minimum or the spread of partners'
# ratings only grows apart as more partners rate, and counts only grow. A comparison already decided
# in that direction stays decided.
FALLING = {f"ratings.{d}_min" for d in ("trust", "fairness", "role_clarity", "communication")}
RISING = {f"ratings.{d}_gap" for d in ("trust", "fairness", "role_clarity", "communication")} | {
    "ratings.largest_gap", "ratings.rated_partners",
}

# True/false summaries over partners or funders that one answer settles for good: once any partner is
# from business, or any partner's role is undefined, no further partner can undo it. Any other value
# of a computed fact stays open while a field it is computed from is open.
SETTLED_WHEN: dict[str, bool] = {f"partners.has_{s}": True for s in SECTORS}
# Not the flags asked only of organisations: a partner's "no" counts only while it is not known to voice
# the people served without bringing anything (facts.derive._voice_only), which later answers can still show.
SETTLED_WHEN.update(
    {f"partners.{all_name}": False for flag, (all_name, _) in PARTNER_FLAGS.items() if flag not in ORGANISATION_FLAGS}
)
SETTLED_WHEN.update({
    "partners.any_low_commitment": True,
    "partners.affected_represented": True,
    "partners.all_contribute": False,
    "partners.any_cost_exceeds_benefit": True,
    "partners.any_leaving": True,
    "partners.business_contributes": True,
    "funding.has_private": True,
    "funding.all_expectations_transparent": False,
    "funding.conditions_attached": True,
    "funding.private_sector_mobilised": True,
})


def _kleene_and(x: Optional[bool], y: Optional[bool]) -> Optional[bool]:
    return F if (x is F or y is F) else (T if (x is T and y is T) else N)


def _kleene_or(x: Optional[bool], y: Optional[bool]) -> Optional[bool]:
    return T if (x is T or y is T) else (F if (x is F and y is F) else N)


def _combine(a: frozenset, b: frozenset, op: Callable) -> frozenset:
    """Every value `op` can give from a value `a` can take and one `b` can take."""
    return frozenset(op(x, y) for x in a for y in b)


def _not(a: frozenset) -> frozenset:
    return frozenset(N if x is None else (not x) for x in a)


def still_decided(leaf: cond.Leaf, value: Any) -> bool:
    """Whether a computed number's comparison, decided now, stays decided however it moves on."""
    result = cond.test_leaf(leaf, value)
    if result is None:
        return False
    up = leaf.op in (">", ">=")
    down = leaf.op in ("<", "<=")
    if leaf.name in RISING:
        return (up and result) or (down and not result)
    if leaf.name in FALLING:
        return (down and result) or (up and not result)
    return False


@dataclass
class RuleStake:
    """What one rule can still come to: its possible outcomes and, for a finding, its possible severities."""

    rule: LoadedRule
    values: frozenset  # the values its condition can still take
    severities: tuple[str, ...] = ()  # the severities it can still have if it fires

    @property
    def can_fire(self) -> bool:
        return T in self.values

    @property
    def can_stay_quiet(self) -> bool:
        return F in self.values or N in self.values

    @property
    def outcome_open(self) -> bool:
        return self.can_fire and self.can_stay_quiet

    @property
    def severity_open(self) -> bool:
        return self.can_fire and len(self.severities) > 1


@dataclass
class Stakes:
    """The possible values of every condition given what is settled; open facts are those `is_open` names."""

    rb: RuleBase
    known: dict[str, Any]
    is_open: Callable[[str], bool]
    ledger: Optional[Ledger] = None  # what the engine made of the same facts: the outcome of every settled rule
    _rules: dict[str, RuleStake] = field(default_factory=dict)
    _nodes: dict[int, frozenset] = field(default_factory=dict)
    _open: dict[str, bool] = field(default_factory=dict)

    def open(self, name: str) -> bool:
        got = self._open.get(name)
        if got is None:
            got = self._open[name] = bool(self.is_open(name))
        return got

    # --- values ----------------------------------------------------------------------------------

    def leaf(self, leaf: cond.Leaf) -> frozenset:
        by = self.rb.worked_out_by(leaf.name)
        if by is not None and by.rule.type == "finding":
            s = self.rule(by)
            # A finding enters a diagnosis as having fired, or not at all.
            return frozenset(({T} if s.can_fire else set()) | ({N} if s.can_stay_quiet else set()))
        if by is not None:
            return frozenset(cond.test_leaf(leaf, v) for v in self.rule(by).values)
        value = self.known.get(leaf.name)
        if not self.open(leaf.name):
            return frozenset({cond.test_leaf(leaf, value)})
        if value is not None and still_decided(leaf, value):
            return frozenset({cond.test_leaf(leaf, value)})
        return KNOWN_OR_NOT if leaf.op == cond.KNOWN else ANY

    def node(self, node: cond.Node) -> frozenset:
        key = id(node)
        got = self._nodes.get(key)
        if got is not None:
            return got
        if isinstance(node, cond.Leaf):
            out = self.leaf(node)
        elif isinstance(node, cond.Not):
            out = _not(self.node(node.item))
        else:
            op = _kleene_and if isinstance(node, cond.And) else _kleene_or
            out = None
            for item in node.items:
                v = self.node(item)
                out = v if out is None else _combine(out, v, op)
        self._nodes[key] = out
        return out

    def rule(self, r: LoadedRule) -> RuleStake:
        got = self._rules.get(r.id)
        if got is None and self.ledger is not None and not any(self.open(n) for n in self.rb.reads_closure(r, inputs_only=True)):
            got = self._rules[r.id] = self._settled(r)
        if got is None:
            values = self.node(r.condition)
            severities: list[str] = []
            if T in values and r.rule.type in ("finding", "diagnosis"):
                fixed = self.rb.weights.severity.get(r.id)
                if fixed is not None:
                    severities = [fixed]
                else:
                    for extra, severity in r.escalations:
                        v = self.node(extra)
                        if T in v:
                            severities.append(severity)
                        if v == frozenset({T}):
                            break
                    else:
                        severities.append(r.rule.severity or "low")
            got = RuleStake(r, values, tuple(s for s in SEVERITIES if s in severities))
            self._rules[r.id] = got
        return got

    def _settled(self, r: LoadedRule) -> RuleStake:
        """A rule no open fact reaches: as the engine decided it."""
        ledger = self.ledger
        if r.rule.type == "derive":
            return RuleStake(r, frozenset({ledger.derived.get(r.rule.derives)}))
        outcome = ledger.outcome(r.id)
        if r.rule.type == "gate":
            return RuleStake(r, frozenset({outcome}))
        if outcome is not True:
            return RuleStake(r, frozenset({F}))
        severity = self.rb.weights.severity.get(r.id)
        if severity is None:
            fired = [sev for i, (_, sev) in enumerate(r.escalations) if (r.id, f"severity {i}") in ledger.fired]
            severity = fired[0] if fired else (r.rule.severity or "low")
        return RuleStake(r, frozenset({T}), (severity,))

    # --- what decides --------------------------------------------------------------------------------

    def open_facts(self, r: LoadedRule, outcome: bool = True, severity: bool = True) -> list[str]:
        """The open facts whose answers could change the rule's outcome (and its severity), in condition order."""
        out: list[str] = []
        seen: set[str] = set()
        if outcome:
            self._collect(r.condition, out, seen)
            if r.rule.type == "gate" and r.unless is not None:
                # what could show that the criterion does not apply at all
                self._collect(r.unless, out, seen)
        if severity and self.rule(r).severity_open:
            for extra, _ in r.escalations:
                self._collect(extra, out, seen)
        return list(dict.fromkeys(out))

    def _collect(self, node: cond.Node, out: list[str], seen: set[str]) -> None:
        if len(self.node(node)) < 2:
            return
        if isinstance(node, cond.Leaf):
            name = node.name
            by = self.rb.worked_out_by(name)
            if by is not None:
                if by.id not in seen:
                    seen.add(by.id)
                    self._collect(by.condition, out, seen)
                return
            spec = FACTS.get(name)
            out.extend(spec.asks if spec is not None and spec.computed else [name])
            return
        if isinstance(node, cond.Not):
            self._collect(node.item, out, seen)
            return
        for item in node.items:
            self._collect(item, out, seen)


def severity_key(severity: Optional[str]) -> int:
    return SEVERITY_RANK.get(severity, len(SEVERITY_RANK))


# --- what the interview must settle ------------------------------------------------------------------

LEADING_FINDINGS = 5  # "the same first five findings as assess"
SERIOUS = ("critical", "high")

# What each focus settles: the diagnoses and findings that can reach this severity; the diagnoses and
# the first five findings whatever their severity; the items of the answer and the next-phase criteria.
FOCUS_TARGETS = {
    "critical": {"severities": ("critical",), "answer": False, "items": 0, "gates": False},
    "high": {"severities": SERIOUS, "answer": True, "items": 0, "gates": False},
    "all": {"severities": SERIOUS, "answer": True, "items": None, "gates": True},
}


@dataclass(frozen=True)
class Stake:
    """A rule the interview must still settle: whether it fires, its severity, or both, and how much it weighs."""

    rule: str
    outcome: bool
    severity: bool
    weight: int
    why: str  # "diagnosis" (it or what it gathers), "answer", "serious" or "criterion"


def at_stake(stakes: Stakes, assessment, builder, focus: str = "all", answer_items: int = 7) -> list[Stake]:
    """The rules whose outcome or severity further answers could change in a way the answer shows.

    The answer is the assessment's items (most urgent first), the diagnoses and the findings in the
    items' order. An item below the point where the first five findings (and, for focus "all", the
    answer's items) have been told can change nothing shown, as long as no open rule can climb above
    that point; so only what is open at or above it, or can reach it, is at stake.
    """
    target = FOCUS_TARGETS.get(focus, FOCUS_TARGETS["all"])
    rb = stakes.rb
    items = assessment.items
    want_items = answer_items if target["items"] is None else target["items"]
    threshold = None  # the key of the last item the answer must keep; None: every item counts
    if target["answer"]:
        leads = 0
        for i, item in enumerate(items):
            leads += 1 if item.findings else 0
            if leads >= LEADING_FINDINGS and i + 1 >= want_items:
                threshold = item_key(item.severity, item.priority, item.kind, item.rule)
                break
    current = {i.rule: item_key(i.severity, i.priority, i.kind, i.rule) for i in items}

    def shown(key: tuple) -> bool:
        return target["answer"] and (threshold is None or key <= threshold)

    listing: dict[str, list[LoadedRule]] = {}
    diagnoses = [r for r in rb.rules if r.rule.type == "diagnosis"]
    for d in diagnoses:
        for fid in d.rule.gathers or []:
            listing.setdefault(fid, []).append(d)

    best_keys: dict[str, tuple] = {}

    def best_diagnosis_key(d: LoadedRule) -> tuple:
        """The most urgent place a diagnosis could take: its worst severity, every finding it could gather."""
        if d.id in best_keys:
            return best_keys[d.id]
        severities = list(stakes.rule(d).severities) or [d.rule.severity or "low"]
        priorities = []
        for fid in d.rule.gathers or []:
            f = rb.by_id.get(fid)
            if f is not None and stakes.rule(f).can_fire:
                severities += stakes.rule(f).severities
                priorities += [rb.priority(f, s) for s in stakes.rule(f).severities]
        worst = min(severities, key=severity_key)
        best_keys[d.id] = item_key(worst, max([rb.priority(d, worst)] + priorities) + 15, "diagnosis", d.id)
        return best_keys[d.id]

    def least_diagnosis_key(d: LoadedRule) -> tuple:
        """The least urgent place a diagnosis could take: its mildest severity, no finding gathered."""
        mildest = max(list(stakes.rule(d).severities) or [d.rule.severity or "low"], key=severity_key)
        return item_key(mildest, rb.priority(d, mildest), "diagnosis", d.id)

    held = {d.rule: (d.severity, item_key(d.severity, d.priority, "diagnosis", d.rule)) for d in assessment.diagnoses}

    def diagnosis_may_change(d: LoadedRule) -> bool:
        """Whether what a diagnosis gathers could change its severity, or its place among the other diagnoses."""
        top, bottom = best_diagnosis_key(d), least_diagnosis_key(d)
        if d.id in held and top[0] < severity_key(held[d.id][0]):
            return True
        return any(top <= key <= bottom for rid, (_, key) in held.items() if rid != d.id)

    out: list[Stake] = []
    for d in diagnoses:
        s = stakes.rule(d)
        if not (s.outcome_open or s.severity_open):
            continue
        serious = any(sev in target["severities"] for sev in s.severities)
        if target["answer"] or serious:
            out.append(Stake(d.id, s.outcome_open, s.severity_open, builder.max_priority[d.id], "diagnosis"))
    for r in rb.rules:
        if r.rule.type != "finding":
            continue
        s = stakes.rule(r)
        if not (s.outcome_open or s.severity_open):
            continue
        why = None
        if s.can_fire and any(sev in target["severities"] for sev in s.severities):
            why = "serious"
        elif target["answer"]:
            owners = [d for d in listing.get(r.id, []) if stakes.rule(d).can_fire]
            if any((d.id in current and shown(current[d.id])) or shown(best_diagnosis_key(d)) for d in owners):
                why = "answer"  # it could change a diagnosis the answer shows: its severity, rank or leading finding
            elif any(diagnosis_may_change(d) for d in owners):
                why = "diagnosis"  # it could change a diagnosis's severity or its place among the diagnoses
            elif r.id in current and shown(current[r.id]):
                why = "answer"
            elif s.can_fire and shown(item_key(s.severities[0], rb.priority(r, s.severities[0]), "finding", r.id)):
                why = "answer"
        if why is not None:
            out.append(Stake(r.id, s.outcome_open, s.severity_open, builder.max_priority[r.id], why))
    if target["gates"]:
        for c in assessment.phase_status.criteria:
            r = rb.by_id[c.id]
            if len(stakes.rule(r).values) > 1 or (r.unless is not None and T in stakes.node(r.unless)):
                out.append(Stake(r.id, True, False, builder.max_priority[r.id], "criterion"))
    return out


def needed(stakes: Stakes, stakes_list: list[Stake]) -> dict[str, tuple[int, list[str]]]:
    """The open input facts (templates such as `partners[].sector`) that decide what is at stake:
    for each, the heaviest weight it carries and the rules it can decide, heaviest first."""
    out: dict[str, tuple[int, list[str]]] = {}
    for s in stakes_list:
        r = stakes.rb.by_id[s.rule]
        for name in stakes.open_facts(r, s.outcome, s.severity):
            weight, rules = out.get(name, (0, []))
            out[name] = (max(weight, s.weight), rules + [s.rule])
    return dict(sorted(out.items(), key=lambda kv: (-kv[1][0], -len(kv[1][1]), kv[0])))


# --- screening questions ------------------------------------------------------------------------------


def _inputs(name: str, rb: RuleBase) -> tuple[str, ...]:
    """The input fields (templates) a condition's name rests on directly: itself, or what it is computed from."""
    if rb.worked_out_by(name) is not None:
        return ()
    spec = FACTS.get(name)
    if spec is None:
        return ()
    return spec.asks if spec.computed else (name,)


def screens(rb: RuleBase) -> dict[str, frozenset]:
    """For each input field, the other input fields that every condition reading it tests as well.

    Such a field screens the first: one of its answers ("there is no secretariat") decides every
    condition that reads the other ("is the secretariat neutral?") before that is asked. Worked out
    once per rule base.
    """
    cached = rb.__dict__.get("_consult_screens")
    if cached is not None:
        return cached
    seen: dict[str, set[str]] = {}
    for r in rb.rules:
        for node in [r.condition] + [extra for extra, _ in r.escalations]:
            for alternative in cond.dnf(node):
                names = [set(_inputs(leaf.name, rb)) for leaf in alternative]
                every = set().union(*names) if names else set()
                for mine in names:
                    for x in mine:
                        others = every - {x}
                        seen[x] = seen[x] & others if x in seen else set(others)
    out = {x: frozenset(s) for x, s in seen.items()}
    rb.__dict__["_consult_screens"] = out
    return out
