"""Every example of every built-in rule: where it must fire and where it must stay quiet.

Each case is its own test, named like `STEER-01_fire_1`, so `pytest -k STEER-01` runs one rule.
The engine's answer is also checked against the three-valued evaluator on every case.
"""

import pytest

from partnerwise.api import default_assessor
from partnerwise.engine.examples import cases, check_case
from partnerwise.engine.rulebase import load_rulebase

RULEBASE = load_rulebase()
CASES = cases(RULEBASE)


def test_every_rule_has_both_kinds_of_example():
    for r in RULEBASE.rules:
        assert r.rule.examples.fire and r.rule.examples.quiet, r.id


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_example(case):
    problem = check_case(default_assessor(), case)
    assert problem is None, problem
