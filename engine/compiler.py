"""A pure compiler from the rule base to a durable-rules ruleset definition (testable without running it).

Each rule's condition is put in negation normal form and split into its alternatives (disjunctive
normal form). Each alternative becomes one durable-rules rule: tests on the partnership fact (`p`)
joined with the derived facts (`d0`, `d1`, ...) it reads. Derive and gate rules are compiled for
both outcomes, true and false, so that "known to be false" can chain too; unknown stays unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import conditions as cond
from .rulebase import LoadedRule, RuleBase

_DR_OPS = {"!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}


def field_key(name: str) -> str:
    """Fact names are dotted; durable-rules reads dots as nesting, so flat keys use '__'."""
    return name.replace(".", "__")


@dataclass(frozen=True)
class Target:
    """What one compiled durable-rules rule stands for: a rule, an outcome and one alternative."""

    rule: LoadedRule
    outcome: bool
    alternative: int
    leaves: tuple


def _test(leaf: cond.Leaf) -> dict:
    key = field_key(leaf.name)
    if leaf.op == "==":
        return {key: leaf.value}
    return {_DR_OPS[leaf.op]: {key: leaf.value}}


def _patterns(conjunct: tuple, derived: set[str]) -> list[dict]:
    base = [_test(leaf) for leaf in conjunct if leaf.name not in derived]
    tests = [{"t": "p"}] + base
    patterns = [{"p": {"$and": tests} if len(tests) > 1 else tests[0]}]
    for j, leaf in enumerate(x for x in conjunct if x.name in derived):
        patterns.append(
            {f"d{j}": {"$and": [{"t": "d"}, {"n": leaf.name}, {"v": leaf.value}, {"pid": {"p": "pid"}}]}}
        )
    return patterns


@dataclass
class Compiled:
    definition: dict
    targets: dict[str, Target]
    reads: list[str]


def compile_rulebase(rb: RuleBase) -> Compiled:
    """The durable-rules definition (plain JSON-able data) and what each of its rules stands for."""
    derived = set(rb.deriving)
    definition: dict = {}
    targets: dict[str, Target] = {}
    reads: set[str] = set()
    for r in rb.rules:
        outcomes = [True, False] if r.rule.type in ("derive", "gate") else [True]
        for outcome in outcomes:
            node = r.condition if outcome else cond.Not(r.condition)
            for i, conjunct in enumerate(cond.dnf(node)):
                name = f"r{len(targets)}"
                definition[name] = {"all": _patterns(conjunct, derived)}
                targets[name] = Target(r, outcome, i, conjunct)
                reads.update(leaf.name for leaf in conjunct if leaf.name not in derived)
    return Compiled(definition=definition, targets=targets, reads=sorted(reads))
