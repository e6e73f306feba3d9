"""Loading and checking the rule base: rule files, the sources catalogue, weights."""

from __future__ import annotations

import difflib
import hashlib
import math
import re
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..facts.derive import FACTS
from ..facts.model import PHASE_ORDER
from ..facts.walker import walk
from ..facts import vocabulary
from ..facts.vocabulary import AREAS, GATES, KINDS, NEXT_GATE, PHASES, RULE_TYPES, SEVERITIES, SEVERITY_POINTS  # noqa: F401
from . import conditions as cond
from .rulecache import RuleFileCache
from ..facts.safeyaml import YamlError, load_yaml_file

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "rules"
GATE_POINTS = 250  # an unmet entry criterion for the next phase ranks between high and medium findings
MAX_RULE_FILES = 5000


@dataclass(frozen=True)
class RuleProblem:
    """One problem in a rule file, rule folder, sources or weights file: where it is and why.

    `source` is the file or folder (empty when no file is involved), `rule` the rule's id and `field`
    the field of the rule format, where known. str() gives the one line a user reads:
    `rules/x/ORG-09.yaml: rule ORG-09: field 'when': unknown fact name 'trust'`.
    """

    source: str
    reason: str
    rule: Optional[str] = None
    field: Optional[str] = None
    line: Optional[int] = None

    def __str__(self) -> str:
        parts = [self.source] if self.source else []
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.rule:
            parts.append(f"rule {self.rule}")
        if self.field:
            parts.append(f"field {self.field!r}")
        return ": ".join(parts + [self.reason])


class RuleError(ValueError):
    """A rule file or rule folder that cannot be used: one or more RuleProblems, the first named in the message.

    `source`, `rule`, `field`, `reason` and `line` are the first problem's; `problems` holds them all.
    """

    def __init__(self, *problems: RuleProblem):
        super().__init__(*problems)  # the problems are the arguments, so the error crosses process boundaries
        self.problems: tuple[RuleProblem, ...] = problems

    @classmethod
    def at(cls, source, reason: str, rule: Optional[str] = None, field: Optional[str] = None) -> "RuleError":
        return cls(RuleProblem(str(source), reason, rule, field))

    @classmethod
    def from_yaml(cls, error: YamlError) -> "RuleError":
        return cls(*(RuleProblem(p.source, p.message, line=p.line) for p in error.problems))

    def __str__(self) -> str:
        first = str(self.problems[0])
        more = len(self.problems) - 1
        return f"{first} (and {more} more problem{'s' if more > 1 else ''}; run 'partnerwise rules lint')" if more else first

    source = property(lambda self: self.problems[0].source)
    reason = property(lambda self: self.problems[0].reason)
    rule = property(lambda self: self.problems[0].rule)
    field = property(lambda self: self.problems[0].field)
    line = property(lambda self: self.problems[0].line)


# The rule format's models build their validators when a rule file is first validated: a start whose
# rule files were all checked before (the per-user cache) constructs rules without validating them.
class Examples(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    fire: list[dict[str, Any]] = Field(min_length=1)
    quiet: list[dict[str, Any]] = Field(min_length=1)


class SeverityIf(BaseModel):
    """A severity that replaces the rule's own when a further condition is definitely true."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    when: str = Field(min_length=1, max_length=cond.MAX_LENGTH)
    severity: Literal[SEVERITIES]


# A finding is named in another rule's condition by its id with '_' for '-' (STEER_08 for STEER-08).
FINDING_REF = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")


def finding_ref(name: str) -> Optional[str]:
    """The rule id a condition's name refers to, when it is written as a finding reference."""
    return name.replace("_", "-") if FINDING_REF.match(name) else None


class Rule(BaseModel):
    """One rule as an advisor writes it in YAML."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    id: str = Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$", max_length=40)
    name: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)
    type: Literal[RULE_TYPES]
    title: str = Field(min_length=3, max_length=200)
    area: Literal[AREAS]
    kind: Literal[KINDS]
    severity: Optional[Literal[SEVERITIES]] = None
    phases: Optional[list[Literal[PHASES]]] = Field(
        None, min_length=1
    )
    when: str = Field(min_length=1, max_length=cond.MAX_LENGTH)
    unless: Optional[str] = Field(None, min_length=1, max_length=cond.MAX_LENGTH)
    severity_if: Optional[list[SeverityIf]] = Field(None, min_length=1, max_length=8)
    gathers: Optional[list[str]] = Field(None, min_length=1, max_length=100)
    derives: Optional[str] = Field(None, pattern=r"^[a-z][a-z0-9_]*$", max_length=60)
    gate: Optional[Literal[GATES]] = None
    message: Optional[str] = Field(None, max_length=600)
    rationale: str = Field(min_length=10, max_length=3000)
    actions: list[str] = Field(default_factory=list)
    sources: list[str] = Field(min_length=1)
    examples: Examples


@dataclass
class LoadedRule:
    """A rule with its parsed condition and where it came from."""

    rule: Rule
    path: str
    condition: cond.Node
    builtin: bool = True
    # The parsed `unless:` (already folded into `condition` as "not definitely true"), and the
    # `severity_if:` conditions with their severities, each to be read together with `condition`.
    unless: Optional[cond.Node] = None
    escalations: tuple = ()

    @property
    def id(self) -> str:
        return self.rule.id

    @cached_property
    def reads(self) -> list[str]:
        # A finding's `unless` is part of its condition; a gate's is apart, and read all the same.
        nodes = [self.condition] + [node for node, _ in self.escalations] + ([self.unless] if self.unless else [])
        return list(dict.fromkeys(leaf.name for node in nodes for leaf in cond.leaves(node)))


@dataclass
class Source:
    id: str
    title: str
    source: str
    rank: Optional[int] = None
    priority_only: Optional[str] = None
    weight: Optional[int] = None  # priority points for an unranked item (the common barriers)


@dataclass
class Weights:
    """Organisation-specific changes of severity and priority, applied without editing rules."""

    severity: dict[str, str] = field(default_factory=dict)
    priority: dict[str, int] = field(default_factory=dict)


@dataclass
class RuleBase:
    rules: list[LoadedRule]
    sources: dict[str, Source]
    documents: dict[str, dict]
    weights: Weights = field(default_factory=Weights)

    def __getstate__(self) -> dict:
        # A worker process compiles its own engine; the compiled one of this process does not travel.
        return {k: v for k, v in self.__dict__.items() if k != "_assessor"}

    def __post_init__(self):
        self.by_id = {r.id: r for r in self.rules}
        self.deriving = {r.rule.derives: r for r in self.rules if r.rule.type == "derive"}
        self._worked_out: dict[str, Optional[LoadedRule]] = {}
        self._closures: dict[tuple[str, bool], tuple[str, ...]] = {}
        self._source_weights: dict[str, int] = {}

    def worked_out_by(self, name: str) -> Optional[LoadedRule]:
        """The rule that works out a name a condition reads: the finding rule a finding reference names, the
        derive rule of a derived fact; None for a fact of the partnership."""
        try:
            return self._worked_out[name]
        except KeyError:
            ref = finding_ref(name)
            by = self.by_id.get(ref) if ref is not None else None
            by = self._worked_out[name] = by or self.deriving.get(name)
            return by

    def reads_closure(self, r: LoadedRule, inputs_only: bool = False) -> tuple[str, ...]:
        """Every name `r` reads, directly or through the rules that work out what it reads (worked out once);
        with `inputs_only`, only the facts of the partnership among them."""
        key = (r.id, inputs_only)
        got = self._closures.get(key)
        if got is None:
            out: dict[str, None] = {}
            stack, seen = [r], {r.id}
            while stack:
                rule = stack.pop()
                for name in rule.reads:
                    by = self.worked_out_by(name)
                    if by is None or not inputs_only:
                        out[name] = None
                    if by is not None and by.id not in seen:
                        seen.add(by.id)
                        stack.append(by)
            got = self._closures[key] = tuple(out)
        return got

    def severity(self, r: LoadedRule) -> Optional[str]:
        return self.weights.severity.get(r.id, r.rule.severity)

    def source_weight(self, r: LoadedRule) -> int:
        """The practitioners ranked 15 requirements (16 - rank points) and named the common barriers
        (a weight of their own); a rule weighs as the heaviest item it cites."""
        got = self._source_weights.get(r.id)
        if got is None:
            points = [0]
            for sid in r.rule.sources:
                item = self.sources.get(sid)
                if item is not None:
                    points.append(16 - item.rank if item.rank else item.weight or 0)
            got = self._source_weights[r.id] = max(points)
        return got

    def priority(self, r: LoadedRule, severity: Optional[str] = None) -> int:
        """Points that order findings: their severity (here, or the rule's own), the practitioners' ranking, weights."""
        if r.rule.type == "gate":
            base = GATE_POINTS
        else:
            base = SEVERITY_POINTS.get(severity or self.severity(r) or "low", 100)
        return base + self.source_weight(r) + self.weights.priority.get(r.id, 0)


def _fmt_loc(loc) -> str:
    return ".".join(str(x) for x in loc) or "(the rule)"


def _suggest(word: str, options) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


# What the checks of a rule file depend on besides the file itself: this module, the condition
# language and the vocabulary. A rule file checked by this code before (recorded in the per-user
# cache) is trusted.
CHECKS = hashlib.sha256(
    b"".join(Path(m.__file__).read_bytes() for m in (sys.modules[__name__], cond, vocabulary))
).hexdigest()[:16]


def _trusted_rule(data: dict, path: str, builtin: bool) -> LoadedRule:
    """A rule from data this code checked before: constructed, not validated again."""
    more = {"examples": Examples.model_construct(**data["examples"])}
    if data.get("severity_if"):
        more["severity_if"] = [SeverityIf.model_construct(**step) for step in data["severity_if"]]
    rule = Rule.model_construct(**{**data, **more})
    unless = cond.parse(rule.unless) if rule.unless else None
    condition = _whole_condition(rule, cond.parse(rule.when), unless)
    escalations = tuple((cond.parse(step.when), step.severity) for step in rule.severity_if or [])
    return LoadedRule(rule=rule, path=path, condition=condition, builtin=builtin, unless=unless, escalations=escalations)


def parse_rule(data: Any, path: str, builtin: bool, trusted: bool = False) -> LoadedRule:
    """Validate one rule mapping; raise RuleError naming the file, the rule and the field.

    `trusted`: the same data, at the same path, passed these checks before (see CHECKS).
    """
    if trusted:
        return _trusted_rule(data, path, builtin)
    if not isinstance(data, dict):
        raise RuleError.at(path, f"expected a mapping of rule fields, found {type(data).__name__}")
    rid = data.get("id")
    rid = str(rid) if rid else None
    try:
        rule = Rule.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        where = _fmt_loc(err["loc"])
        if err["type"] == "extra_forbidden":
            key = str(err["loc"][-1])
            raise RuleError.at(path, f"unknown field{_suggest(key, Rule.model_fields)}", rid, key) from None
        if err["type"] == "missing":
            raise RuleError.at(path, "is missing", rid, where) from None
        raise RuleError.at(path, err["msg"], rid, where) from None

    def error(reason: str, field: Optional[str] = None) -> RuleError:
        return RuleError.at(path, reason, rule.id, field)
    needs = {
        "finding": ("severity", "message", "actions"),
        "strength": ("message",),
        "derive": ("derives",),
        "gate": ("gate", "actions"),
        "diagnosis": ("severity", "message", "actions", "gathers"),
    }[rule.type]
    for fname in needs:
        if not getattr(rule, fname):
            raise error(f"is missing; a {rule.type} rule needs it", fname)
    allowed = {
        "derives": ("derive",),
        "gate": ("gate",),
        "gathers": ("diagnosis",),
        "unless": ("finding", "strength", "diagnosis", "gate"),
        "severity_if": ("finding", "diagnosis"),
    }
    for fname, types in allowed.items():
        if getattr(rule, fname) and rule.type not in types:
            kinds = types[0] if len(types) == 1 else ", ".join(types[:-1]) + " and " + types[-1]
            raise error(f"is only for {kinds} rules", fname)
    if rule.type == "gate" and rule.phases:
        raise error("gate rules apply in every phase; remove 'phases'", "phases")
    if Path(path).stem != rule.id and builtin:
        raise error(f"the file is named {Path(path).name!r}; expected {rule.id + '.yaml'!r}", "id")
    when = _parse_condition(rule.when, error, "when")
    unless = _parse_condition(rule.unless, error, "unless") if rule.unless else None
    condition = _whole_condition(rule, when, unless)
    try:
        cond.dnf(condition)
        if rule.type in ("derive", "gate"):  # only these are compiled for "known to be false" too
            cond.dnf(cond.Not(condition))
    except cond.ConditionError as e:
        raise error(str(e), "when") from None
    escalations = []
    for i, step in enumerate(rule.severity_if or []):
        node = _parse_condition(step.when, error, f"severity_if.{i}.when")
        try:
            cond.dnf(cond.And((condition, node)))
        except cond.ConditionError as e:
            raise error(str(e), f"severity_if.{i}.when") from None
        escalations.append((node, step.severity))
    return LoadedRule(
        rule=rule, path=path, condition=condition, builtin=builtin, unless=unless, escalations=tuple(escalations)
    )


def _whole_condition(rule: Rule, when: cond.Node, unless: Optional[cond.Node]) -> cond.Node:
    """What the engine tests for a rule: its `when`, in its phases, unless its `unless` is known to hold.

    A gate's `unless` does not enter its condition: it says where the criterion does not apply at all
    (the assessment leaves it out of the next-phase criteria), not that the criterion is unmet.
    """
    if rule.phases:
        when = cond.And((phase_test(rule.phases), when))
    return when if unless is None or rule.type == "gate" else cond.And((when, cond.not_true(unless)))


def phase_test(phases: list[str]) -> cond.Node:
    """The test that a rule's `phases:` adds: one phase by name, a run of phases as a range of phase_index
    (one alternative instead of one per phase), other sets phase by phase."""
    positions = sorted(PHASE_ORDER.index(p) + 1 for p in set(phases))
    if len(positions) == 1:
        return cond.Leaf("phase", "==", PHASE_ORDER[positions[0] - 1])
    if positions == list(range(positions[0], positions[-1] + 1)):
        bounds = []
        if positions[0] > 1:
            bounds.append(cond.Leaf("phase_index", ">=", positions[0]))
        if positions[-1] < len(PHASE_ORDER):
            bounds.append(cond.Leaf("phase_index", "<=", positions[-1]))
        return bounds[0] if len(bounds) == 1 else cond.And(tuple(bounds))
    return cond.Or(tuple(cond.Leaf("phase", "==", PHASE_ORDER[i - 1]) for i in positions))


def _parse_condition(text: str, error, where: str) -> cond.Node:
    try:
        node = cond.parse(text)
    except cond.ConditionError as e:
        raise error(str(e), where) from None
    for leaf in cond.leaves(node):
        if isinstance(leaf.value, float) and not math.isfinite(leaf.value):
            raise error(f"'{leaf}' compares with an infinite number; expected a finite number", where)
    return node


def rule_files(folder: Path) -> list[Path]:
    if not folder.exists():
        raise RuleError.at(folder, "no such rule folder")
    if not folder.is_dir():
        raise RuleError.at(folder, "expected a folder of rule files, found a file")
    files = []
    for p in sorted(folder.rglob("*")):
        # Not only regular files: a folder, FIFO or broken link named like a rule is reported when read.
        if p.suffix in (".yaml", ".yml") and p.name not in ("sources.yaml", "weights.yaml"):
            files.append(p)
            if len(files) > MAX_RULE_FILES:
                raise RuleError.at(folder, f"more than {MAX_RULE_FILES} rule files; expected a rule folder")
    return files


def load_sources(path: Path, cache: Optional[RuleFileCache] = None) -> tuple[dict[str, Source], dict[str, dict]]:
    data = cache.data(path, load_yaml_file) if cache is not None else load_yaml_file(path)
    if not isinstance(data, dict) or not isinstance(data.get("items"), dict):
        raise RuleError.at(path, "expected a mapping with 'items' (INVENTORY ID -> title, source)")
    out = {}
    for sid, item in data["items"].items():
        if not isinstance(item, dict) or "title" not in item:
            raise RuleError.at(path, f"item {sid}: expected a mapping with 'title' and 'source'")
        out[str(sid)] = Source(
            id=str(sid),
            title=str(item["title"]),
            source=str(item.get("source", "")),
            rank=item.get("rank"),
            weight=item.get("weight"),
            priority_only=item.get("priority_only"),
        )
    return out, dict(data.get("documents") or {})


def load_weights(path: Path) -> Weights:
    try:
        data = load_yaml_file(path)
    except YamlError as e:
        raise RuleError.from_yaml(e) from None
    if data is None:
        return Weights()
    if not isinstance(data, dict) or set(data) - {"severity", "priority"}:
        raise RuleError.at(path, "expected a mapping with 'severity' and/or 'priority'")
    sev = data.get("severity") or {}
    pri = data.get("priority") or {}
    if not isinstance(sev, dict) or not isinstance(pri, dict):
        raise RuleError.at(path, "'severity' and 'priority' each map rule ids to values")
    for rid, value in sev.items():
        if value not in SEVERITIES:
            raise RuleError.at(path, f"severity of {rid}: found {value!r}, expected one of {', '.join(SEVERITIES)}")
    for rid, value in pri.items():
        if isinstance(value, bool) or not isinstance(value, int) or not -99 <= value <= 99:
            raise RuleError.at(path, f"priority of {rid}: found {value!r}, expected a whole number from -99 to 99")
    return Weights(severity={str(k): v for k, v in sev.items()}, priority={str(k): v for k, v in pri.items()})


def read_folder(folder: Path, builtin: bool, cache: Optional[RuleFileCache] = None) -> list[LoadedRule]:
    rules = []
    for path in rule_files(folder):
        label = str(path if not builtin else path.relative_to(folder.parent))
        try:
            if cache is None:
                data, key = load_yaml_file(path), None
            else:
                data, key = cache.data_and_key(path, load_yaml_file)
        except YamlError as e:
            raise RuleError.from_yaml(e) from None
        checked = None if key is None else f"{CHECKS}|{key}|{label}|{builtin}"
        trusted = checked is not None and cache.was_checked(checked)
        rules.append(parse_rule(data, label, builtin, trusted=trusted))
        if checked is not None and not trusted:
            cache.mark_checked(checked)
    return rules


UNREAD = "which no rule reads"


# A `{fact.name}` in a message, filled from the partnership's facts when the finding is reported.
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")


def check(rb: RuleBase) -> list[RuleProblem]:
    """Catalogue checks across rules: names, types, sources, derived facts, cycles. One line per problem.

    All problems fail `rules lint`; all but an unread derived fact also stop an assessment.
    """
    problems: list[RuleProblem] = []
    derived: dict[str, LoadedRule] = {}
    for r in rb.rules:
        if r.rule.type == "derive":
            name = r.rule.derives
            if name in derived:
                problems.append(RuleProblem(r.path, f"derives {name!r}, which {derived[name].id} derives already", r.id))
            elif name in FACTS:
                problems.append(RuleProblem(r.path, f"derives {name!r}, which is the name of an input fact", r.id))
            derived[name] = r
    read_by: dict[str, list[str]] = {}
    for r in rb.rules:
        def problem(field: str, reason: str, r=r) -> None:
            problems.append(RuleProblem(r.path, reason, r.id, field))

        for name in PLACEHOLDER.findall(r.rule.message or ""):
            if name not in FACTS:
                problem("message", f"{{{name}}} names no fact{_suggest(name, FACTS)}; it would print 'unknown'")

        for s in r.rule.sources:
            if s not in rb.sources:
                problem("sources", f"unknown source ID {s!r}{_suggest(s, rb.sources)}")
        for rid in r.rule.gathers or []:
            other = rb.by_id.get(rid)
            if other is None or other.rule.type != "finding":
                problem("gathers", f"{rid!r} is not a finding rule{_suggest(rid, rb.by_id)}")
        if r.unless is not None:
            for leaf in cond.leaves(r.unless):
                if leaf.name in derived or finding_ref(leaf.name):
                    problem(
                        "unless",
                        f"{leaf.name!r} is worked out by the rules, so its being unknown cannot be tested; "
                        "name input facts in 'unless'",
                    )
        # Negations pushed to the leaves, so that 'not STEER_08' is seen as a finding read as false.
        nodes = [cond.nnf(r.condition)] + [cond.nnf(node) for node, _ in r.escalations]
        for leaf in (leaf for node in nodes for leaf in cond.leaves(node)):
            ref = finding_ref(leaf.name)
            if ref is not None:
                other = rb.by_id.get(ref)
                if other is None or other.rule.type != "finding":
                    problem("when", f"{leaf.name!r} names no finding rule ({ref!r}){_suggest(ref, rb.by_id)}")
                elif r.rule.type != "diagnosis":
                    problem("when", f"only diagnosis rules may read findings ({leaf.name!r})")
                elif leaf.op != "==" or leaf.value is not True:
                    problem("when", f"a finding can only be read as having fired; write {leaf.name}, not '{leaf}'")
                continue
            if leaf.op == cond.KNOWN:
                if leaf.name not in FACTS and leaf.name not in derived:  # derived ones are reported above
                    problem("unless", f"unknown fact name {leaf.name!r}{_suggest(leaf.name, FACTS)}")
                continue
            if leaf.name in derived:
                read_by.setdefault(leaf.name, []).append(r.id)
                if not isinstance(leaf.value, bool) or leaf.op != "==":
                    problem("when", f"derived fact {leaf.name!r} is true or false; compare it with true or false")
                continue
            spec = FACTS.get(leaf.name)
            if spec is None:
                hint = _suggest(leaf.name, list(FACTS) + list(derived))
                problem("when", f"unknown fact name {leaf.name!r}{hint}")
                continue
            for reason in _type_problems(leaf, spec):
                problem("when", reason)
    for name, r in derived.items():
        if name not in read_by:
            problems.append(RuleProblem(r.path, f"derives {name!r}, {UNREAD}", r.id))
    problems.extend(_cycles(rb, derived))
    return problems


# Facts that describe a partnership for people (names, free text, dates read through computed facts);
# no rule is expected to test them.
DESCRIPTIVE = {
    "id", "name", "description", "secretariat.hosted_by", "started", "as_of", "exit.end_date", "resources.total_budget",
}


def unread_facts(rb: RuleBase) -> list[str]:
    """Input facts that no rule reads, directly or through a computed fact: questions that change nothing."""
    read: set[str] = set()
    for r in rb.rules:
        for name in r.reads:
            spec = FACTS.get(name)
            read.add(name)
            if spec is not None and spec.computed:
                read.update(spec.asks)
    out = [name for name, spec in FACTS.items() if not (spec.computed or name in DESCRIPTIVE or name in read)]
    for template in list_fields():
        if template not in read and template.rsplit(".", 1)[-1] not in ("name", "roles", "core_competence", "raters"):
            out.append(template)
    return out


def list_fields() -> list[str]:
    """The answerable fields inside lists of the fact model, as templates (`partners[].sector`).

    Lists of values (roles, contributions) count as one field; the fields of concerns raised do not.
    """
    fields = list(walk())
    concerns = [f.template + "[]." for f in fields if f.kind == "items" and f.model.__name__ == "Concern"]
    return [
        f.template for f in fields
        if f.is_value and f.kind != "items" and (f.in_list or f.kind in ("choices", "texts"))
        and not f.template.startswith(tuple(concerns))
    ]


def _type_problems(leaf: cond.Leaf, spec) -> list[str]:
    v = leaf.value
    if spec.type == "names":
        return [f"{leaf.name!r} is a list of names for messages; test the matching true/false or number fact"]
    if spec.type == "bool":
        if not isinstance(v, bool) or leaf.op != "==":
            return [f"{leaf.name!r} is true or false; found '{leaf}'"]
    elif spec.type == "number":
        if isinstance(v, (bool, str)):
            return [f"{leaf.name!r} is a number; found '{leaf}'"]
        lo, hi = spec.minimum, spec.maximum
        impossible = (
            (lo is not None and ((leaf.op in ("<",) and v <= lo) or (leaf.op in ("<=", "==") and v < lo)))
            or (hi is not None and ((leaf.op in (">",) and v >= hi) or (leaf.op in (">=", "==") and v > hi)))
        )
        if impossible:
            return [f"'{leaf}' can never be true: {leaf.name!r} lies between {lo:g} and {hi if hi is not None else 'no limit'}"]
    elif spec.type == "choice":
        if leaf.op not in ("==", "!="):
            return [f"{leaf.name!r} is a choice; compare it with == or != (found '{leaf}')"]
        if v not in spec.choices:
            return [f"'{leaf}' can never be true: {leaf.name!r} is one of {', '.join(spec.choices)}{_suggest(str(v), spec.choices)}"]
    elif spec.type == "text":
        if not isinstance(v, str):
            return [f"{leaf.name!r} is text; found '{leaf}'"]
    if leaf.name == "phase" and v not in PHASE_ORDER:
        return [f"'{leaf}' can never be true: phase is one of {', '.join(PHASE_ORDER)}"]
    return []


def _cycles(rb: RuleBase, derived: dict[str, LoadedRule]) -> list[RuleProblem]:
    graph = {name: [x for x in r.reads if x in derived] for name, r in derived.items()}
    problems, state = [], {}

    def visit(n, stack):
        if state.get(n) == 1:
            cycle = stack[stack.index(n):] + [n]
            r = derived[n]
            problems.append(RuleProblem(r.path, f"derived facts depend on each other in a cycle: {' -> '.join(cycle)}", r.id))
            return
        if state.get(n) == 2:
            return
        state[n] = 1
        for m in graph[n]:
            visit(m, stack + [n])
        state[n] = 2

    for n in sorted(graph):
        visit(n, [])
    return problems


def load_rulebase(
    extra_dirs=(), weights_path: Optional[Path] = None, builtin: bool = True, sources_path: Optional[Path] = None
) -> RuleBase:
    """The built-in rules, plus each extra folder's rules (a rule with a built-in id replaces it).

    Rule files already parsed once are taken from the per-user cache (engine/rulecache.py).
    """
    cache = RuleFileCache()
    try:
        rb = _load_rulebase(cache, extra_dirs, weights_path, builtin, sources_path)
    finally:
        cache.save()
    return rb


def _load_rulebase(cache, extra_dirs, weights_path, builtin, sources_path) -> RuleBase:
    try:
        sources, documents = load_sources(sources_path or BUILTIN_DIR / "sources.yaml", cache)
    except YamlError as e:
        raise RuleError.from_yaml(e) from None
    rules: dict[str, LoadedRule] = {}
    if builtin:
        for r in read_folder(BUILTIN_DIR, builtin=True, cache=cache):
            if r.id in rules:
                raise RuleError.at(r.path, f"duplicate id, also in {rules[r.id].path}", r.id)
            rules[r.id] = r
    for folder in extra_dirs:
        seen: dict[str, str] = {}
        for r in read_folder(Path(folder), builtin=False, cache=cache):
            if r.id in seen:
                raise RuleError.at(r.path, f"duplicate id, also in {seen[r.id]}", r.id)
            seen[r.id] = r.path
            rules[r.id] = r
    weights = load_weights(Path(weights_path)) if weights_path else Weights()
    rb = RuleBase(rules=[rules[k] for k in sorted(rules)], sources=sources, documents=documents, weights=weights)
    for rid in list(weights.severity) + list(weights.priority):
        if rid not in rb.by_id:
            raise RuleError.at(weights_path, f"unknown rule id {rid!r}{_suggest(rid, rb.by_id)}")
    problems = [p for p in check(rb) if not p.reason.endswith(UNREAD)]
    if problems:
        raise RuleError(*problems)
    return rb
