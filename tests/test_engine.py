"""The engine on a small rule base: chaining, unknown versus false, evidence, order, gaps, batches."""

import json

from partnerwise.engine import conditions as cond
from partnerwise.facts.derive import flatten
from partnerwise.facts.loader import validate_partnership

TROUBLED = {
    "name": "Troubled",
    "phase": "implementation",
    "funders": [{"name": "Big Co", "share": 70}, {"name": "Small Fund", "share": 20}],
    "governance": {"equal_terms": False},
    "trust": {"level": "low"},
    "secretariat": {"exists": False},
}


def rules_fired(result):
    return [f.rule for f in result.findings]


def test_two_derived_steps_chain_into_a_finding(chain):
    result = chain.assess(TROUBLED)
    assert rules_fired(result) == ["T-F01", "T-F02"]
    assert result.derived == {"funder_dominance": True, "power_imbalance_risk": True}
    first = result.findings[0]
    assert first.message == "Big Co provides 70% of the budget and trust is low."
    # Evidence: the derived fact, traced to the rule that derived it, and that rule's own facts.
    chain_item = first.evidence[0]
    assert chain_item["derived"] == "power_imbalance_risk" and chain_item["rule"] == "T-D02"
    inner = chain_item["because"][0]
    assert inner["derived"] == "funder_dominance" and inner["rule"] == "T-D01"
    assert inner["because"] == [{"fact": "funding.largest_share", "value": 70.0}]
    assert {"fact": "trust.level", "value": "low"} in first.evidence


def test_unknown_is_not_no(chain):
    # Nothing known about funders: no dominance is assumed either way, and the finding stays quiet.
    result = chain.assess({"name": "Unknown", "phase": "implementation", "trust": {"level": "low"}})
    assert "T-F01" not in rules_fired(result)
    assert "funder_dominance" not in result.derived
    assert "funders[].share" in [g.fact for g in result.gaps]
    # Known small shares: dominance is known to be false, and that too chains.
    result = chain.assess({**TROUBLED, "funders": [{"name": "A", "share": 30}, {"name": "B", "share": 30}]})
    assert result.derived["funder_dominance"] is False
    assert result.derived["power_imbalance_risk"] is False


def test_secretariat_absent_is_a_gap_not_a_finding(chain):
    result = chain.assess({"name": "X", "phase": "implementation"})
    assert "T-F02" not in rules_fired(result)
    gap = next(g for g in result.gaps if g.fact == "secretariat.exists")
    assert gap.question.endswith("?") and gap.rules == ["T-F02"]


def test_phase_limits_a_rule(chain):
    result = chain.assess({**TROUBLED, "phase": "design"})
    assert "T-F02" not in rules_fired(result)


def test_findings_are_ordered_by_severity_then_rank_then_id(chain):
    result = chain.assess(TROUBLED)
    assert [(f.severity, f.priority) for f in result.findings] == [("high", 315), ("medium", 201)]


def test_same_input_same_output(chain):
    a = json.dumps(chain.assess(TROUBLED).to_dict())
    b = json.dumps(chain.assess(json.loads(json.dumps(TROUBLED))).to_dict())
    assert a == b


def test_gate_outcomes_and_readiness(chain):
    result = chain.assess({**TROUBLED, "phase": "design", "agreement": {"exists": False}})
    ps = result.phase_status
    assert (ps.declared, ps.next, ps.ready_for_next) == ("design", "implementation", False)
    assert ps.criteria[0].met is False
    assert ps.next_actions == ["Write and sign a memorandum of understanding."]
    ps = chain.assess({**TROUBLED, "phase": "design"}).phase_status
    assert ps.ready_for_next is None and ps.criteria[0].met is None
    ps = chain.assess({**TROUBLED, "phase": "design", "agreement": {"exists": True}}).phase_status
    assert ps.ready_for_next is True


def test_strengths_are_listed_apart(chain):
    result = chain.assess({**TROUBLED, "secretariat": {"exists": True, "neutral": True, "funded": True}})
    assert [s.rule for s in result.strengths] == ["T-S01"]
    assert "T-S01" not in rules_fired(result)


def test_a_batch_in_one_session_equals_one_at_a_time(chain):
    variants = []
    for share in (10, 49, 50, 70, None):
        for equal in (True, False, None):
            p = dict(TROUBLED)
            p["funders"] = [{"name": "A", "share": share}] if share is not None else [{"name": "A"}]
            p["governance"] = {} if equal is None else {"equal_terms": equal}
            variants.append(validate_partnership(p, "test"))
    batch = [r.to_dict() for r in chain.assess_many(variants)]
    single = [chain.assess(v).to_dict() for v in variants]
    assert batch == single


def test_engine_agrees_with_the_three_valued_evaluator(chain):
    rb = chain.rulebase
    for share in (None, 20, 50, 80):
        for equal in (None, True, False):
            for level in (None, "low", "high"):
                data = {"name": "V", "phase": "implementation"}
                if share is not None:
                    data["funders"] = [{"name": "A", "share": share}]
                if equal is not None:
                    data["governance"] = {"equal_terms": equal}
                if level is not None:
                    data["trust"] = {"level": level}
                p = validate_partnership(data, "test")
                facts = flatten(p)
                ledger = chain.engine.run([facts])[0]
                known = {**facts, **ledger.derived}
                for r in rb.rules:
                    oracle = cond.evaluate(r.condition, known)
                    if r.rule.type == "derive":
                        assert ledger.derived.get(r.rule.derives) == oracle, (r.id, data)
                    else:
                        assert (ledger.outcome(r.id) is True) == (oracle is True), (r.id, data)
