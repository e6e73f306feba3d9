"""`rules lint`: every problem in a rule folder, one line each, with the file and the rule id."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from ..facts.derive import FACTS
from ..facts.safeyaml import YamlError, load_yaml_file
from . import conditions as cond
from .assessor import Assessor
from .examples import cases, check_case
from .rulebase import BUILTIN_DIR, RuleBase, RuleError, RuleProblem, check, load_sources, parse_rule, rule_files, unread_facts


def _never_true(conjunct: tuple) -> Optional[str]:
    """A reason why this alternative can never hold, or None when it can."""
    by_name: dict[str, list[cond.Leaf]] = {}
    for leaf in conjunct:
        by_name.setdefault(leaf.name, []).append(leaf)
    for name, leaves in by_name.items():
        equal = {repr(x.value) for x in leaves if x.op == "=="}
        if len(equal) > 1:
            return f"{name} cannot equal two values at once"
        for x in leaves:
            for y in leaves:
                if x.op == "==" and y.op == "!=" and x.value == y.value:
                    return f"{name} cannot be both == and != {y.value!r}"
        numbers = [x for x in leaves if isinstance(x.value, (int, float)) and not isinstance(x.value, bool)]
        spec = FACTS.get(name)
        lo = spec.minimum if spec and spec.minimum is not None else float("-inf")
        hi = spec.maximum if spec and spec.maximum is not None else float("inf")
        lo_open = hi_open = False
        for x in numbers:
            v = x.value
            if x.op in (">", ">=") and (v > lo or (v == lo and x.op == ">")):
                lo, lo_open = v, x.op == ">"
            if x.op in ("<", "<=") and (v < hi or (v == hi and x.op == "<")):
                hi, hi_open = v, x.op == "<"
            if x.op == "==":
                if v < lo or v > hi:
                    return f"{name} == {v:g} lies outside the other limits"
        if lo > hi or (lo == hi and (lo_open or hi_open)):
            return f"no value of {name} meets all its limits"
    return None


def lint(folder: Optional[Path] = None) -> list[str]:
    """All problems in `folder` (or the built-in rules), read against the built-in rule base."""
    target = Path(folder) if folder else BUILTIN_DIR
    builtin = folder is None or target.resolve() == BUILTIN_DIR.resolve()
    problems: list[str] = []
    try:
        sources, documents = load_sources(BUILTIN_DIR / "sources.yaml")
    except (RuleError, YamlError) as e:
        return [str(e)]
    loaded = {}
    if not builtin:
        # The folder's rules are read on top of the built-in ones, as `assess --rules` would.
        for path in rule_files(BUILTIN_DIR):
            r = parse_rule(load_yaml_file(path), str(path.relative_to(BUILTIN_DIR.parent)), True)
            loaded[r.id] = r
    try:
        files = rule_files(target)
    except RuleError as e:
        return [str(e)]
    seen: dict[str, str] = {}
    for path in files:
        label = str(path.relative_to(target.parent)) if builtin else str(path)
        try:
            r = parse_rule(load_yaml_file(path), label, builtin)
        except (RuleError, YamlError) as e:
            problems.append(str(e))
            continue
        if r.id in seen:
            problems.append(str(RuleProblem(label, f"duplicate id, also in {seen[r.id]}", r.id)))
            continue
        seen[r.id] = label
        loaded[r.id] = r
        for outcome_node, what in ((r.condition, "true"),):
            conjuncts = cond.dnf(outcome_node)
            reasons = [_never_true(c) for c in conjuncts]
            if conjuncts and all(reasons):
                problems.append(str(RuleProblem(label, f"the condition can never be {what} ({reasons[0]})", r.id, "when")))
    rb = RuleBase(rules=[loaded[k] for k in sorted(loaded)], sources=sources, documents=documents)
    own = set(seen)
    problems += [str(p) for p in check(rb) if p.rule in own]
    if builtin:
        problems += [
            f"{target.name}: fact {name!r} is asked for but no rule reads it; write a rule that uses it or drop it"
            for name in unread_facts(rb)
        ]
    if problems:
        return problems
    try:
        assessor = Assessor(rb)
    except Exception as e:  # a rule base the engine itself rejects is a lint finding too
        return [f"{target}: the engine rejected the rule base: {e}"]
    for case in cases(rb, only_custom=not builtin):
        problem = check_case(assessor, case)
        if problem:
            problems.append(problem)
    return problems
