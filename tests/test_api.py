"""The Python API as the README uses it: one engine per rule base, however often it is called."""

from __future__ import annotations

import resource

from partnerwise import api
from partnerwise.engine import runner
from partnerwise.engine.assessor import Assessor
from partnerwise.engine.rulebase import load_rulebase

FACTS = {"name": "X", "phase": "design", "secretariat": {"exists": False}}


def test_assess_with_a_rule_base_builds_one_engine_for_many_calls(chain_rb, monkeypatch):
    built = []
    real = runner.Engine.__init__

    def counting(self, rb):
        built.append(rb)
        real(self, rb)

    monkeypatch.setattr(runner.Engine, "__init__", counting)
    rb = load_rulebase()  # a rule base of its own, as the README's example loads one
    first = api.assess(FACTS, rb).to_dict()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(100):
        assert api.assess(FACTS, rb).to_dict() == first
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert len(built) == 1
    assert Assessor.of(rb) is Assessor.of(rb)
    assert grown_kb < 20_000, f"100 calls grew the process by {grown_kb} KB"
    api.assess(FACTS, chain_rb)
    assert len(built) == 2  # another rule base, another engine


def test_an_engine_is_freed_with_its_rule_base(chain_rb):
    import gc

    from partnerwise.engine.rulebase import RuleBase

    rb = RuleBase(rules=list(chain_rb.rules), sources=chain_rb.sources, documents=chain_rb.documents)
    ruleset = Assessor.of(rb).engine.ruleset
    assert ruleset.handle is not None
    del rb
    gc.collect()
    assert ruleset.handle is None


def test_the_worst_severity_is_the_most_severe_finding_even_when_a_milder_one_leads():
    """Findings follow the problems they belong to, so a diagnosis's low lead finding can come before a
    medium one; the worst severity an HTML report shows per partnership is still the medium."""
    import dataclasses

    from partnerwise.render import html

    a = api.assess({**FACTS, "phase": "implementation", "trust": {"level": "low"}, "agreement": {"exists": False}})
    by_rank = sorted(a.findings, key=lambda f: ["critical", "high", "medium", "low"].index(f.severity))
    worst, mildest = by_rank[0].severity, by_rank[-1].severity
    assert worst != mildest
    milder_first = dataclasses.replace(a, findings=[by_rank[-1]] + by_rank[:-1])
    assert milder_first.worst_severity() == worst
    assert html.view(milder_first, html.catalogue(api.load_rulebase()), "p1")["worst"] == worst
