"""Running every rule's own examples: where it must fire and where it must stay quiet.

Each example is merged over a baseline partnership, validated by the real fact model, run through
the engine, and checked against the three-valued evaluator too: both must agree.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Optional

from ..facts.derive import flatten
from ..facts.loader import FactError, validate_partnership
from . import conditions as cond
from .rulebase import LoadedRule, RuleBase


@dataclass
class ExampleCase:
    rule: LoadedRule
    expect: str  # "fire" or "quiet"
    index: int
    facts: dict

    @property
    def id(self) -> str:
        return f"{self.rule.id}_{self.expect}_{self.index}"


def merge(base: dict, patch: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def baseline(r: LoadedRule) -> dict:
    phase = r.rule.phases[0] if r.rule.phases else "implementation"
    return {"name": "Example partnership", "phase": phase}


def cases(rb: RuleBase, only_custom: bool = False) -> list[ExampleCase]:
    out = []
    for r in rb.rules:
        if only_custom and r.builtin:
            continue
        for expect in ("fire", "quiet"):
            for i, ex in enumerate(getattr(r.rule.examples, expect), 1):
                out.append(ExampleCase(r, expect, i, merge(baseline(r), ex)))
    return out


def outcome(r: LoadedRule, ledger) -> Optional[bool]:
    if r.rule.type == "derive":
        return ledger.derived.get(r.rule.derives)
    return ledger.outcome(r.id)


def check_case(assessor, case: ExampleCase) -> Optional[str]:
    """None when the example behaves as it says; otherwise one line saying what went wrong."""
    r = case.rule
    label = f"{r.path}: rule {r.id}: example {case.expect} #{case.index}"
    try:
        p = validate_partnership(case.facts, label)
    except FactError as e:
        return str(e)
    facts = flatten(p)
    ledger = assessor.engine.run([facts])[0]
    got = outcome(r, ledger)
    known: dict[str, Any] = dict(facts)
    known.update(ledger.derived)
    oracle = cond.evaluate(r.condition, known)
    engine_true = got is True
    # Derive and gate rules are compiled for both outcomes, so the engine must match the
    # evaluator exactly; finding and strength rules only record "true".
    exact = r.rule.type in ("derive", "gate")
    if (got != oracle) if exact else (engine_true != (oracle is True)):
        return f"{label}: the engine says {got}, the three-valued evaluator says {oracle}"
    if case.expect == "fire" and not engine_true:
        state = "unknown" if oracle is None else "false"
        return f"{label}: expected the rule to fire, but its condition is {state}"
    if case.expect == "quiet" and engine_true:
        return f"{label}: expected the rule to stay quiet, but it fired"
    return None
