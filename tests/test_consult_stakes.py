"""What is at stake in an interview: the three-valued evaluator is the oracle of what can still change.

Mid-session, every value the analysis says a rule's condition can still take must include what the
evaluator gives once the open fields are filled in; at the end of a session, no way of filling them
in may change the diagnoses or the first five findings.
"""

from __future__ import annotations

import copy
import random
from functools import lru_cache
from pathlib import Path

import pytest

from partnerwise import api
from partnerwise.consult import interview, session
from partnerwise.consult.keys import set_value
from partnerwise.consult.questions import SCREENS, typed_answer
from partnerwise.consult.replay import diagnoses, leading_findings, replay
from partnerwise.consult.stakes import FALLING, RISING, SETTLED_WHEN
from partnerwise.engine import conditions as cond
from partnerwise.facts.derive import FACTS, flatten
from partnerwise.facts.model import Partnership
from partnerwise.facts.walker import field_at, fields

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EXAMPLE_NAMES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
BUILTIN = api.default_assessor()
SKIPPED_KINDS = ("items", "text", "texts", "section")


def open_fields(c: interview.Consultation) -> list:
    """The fields a session left open (never asked, not screened out), with their model fields."""
    out = []
    for template, f in fields().items():
        if f.kind in SKIPPED_KINDS or template.startswith("concerns") or template in ("id", "name"):
            continue
        for key in c.instances(template):
            if key not in ("partners", "funders"):
                out.append((key, f))
    return out


def some_value(f, rng: random.Random):
    if f.kind == "bool":
        return rng.choice([True, False])
    if f.kind == "choice":
        return rng.choice(f.choices)
    if f.kind == "choices":
        return rng.sample(list(f.choices), rng.randint(0, 2))
    if f.kind in ("number", "integer"):
        lo = f.minimum if f.minimum is not None else 0
        hi = min(f.maximum if f.maximum is not None else lo + 100, lo + 100)
        value = rng.uniform(lo, hi)
        return int(value) if f.kind == "integer" else round(value, 1)
    return rng.choice(["2019", "2022-05", "2025-01-01", "2030"])  # dates


def fillings(c: interview.Consultation, seed: str, count: int):
    """Fact files that fill in some or all of the fields a session left open, with values the model accepts."""
    opened = open_fields(c)
    rng = random.Random(seed)
    made = 0
    while made < count:
        data = copy.deepcopy(c.data)
        share = 1.0 if made % 2 == 0 else 0.5
        for key, f in opened:
            if rng.random() < share and not key.endswith(".share"):  # shares must still add up
                set_value(data, key, some_value(f, rng))
        made += 1
        yield Partnership.model_validate(data if data.get("name") else {**data, "name": "x"})


@lru_cache(maxsize=None)
def ended(example: str, focus: str):
    return replay(BUILTIN, session.load_data(EXAMPLES / f"{example}.yaml"), focus)


@pytest.mark.parametrize("focus", ["all", "high"])
@pytest.mark.parametrize("example", ["troubled-implementation", "healthy-implementation", "early-initiation",
                                     "implementation-premature", "design-anticorruption-coalition"])
def test_no_way_of_filling_in_what_was_not_asked_changes_the_answer(example, focus):
    r = ended(example, focus)
    answer = (diagnoses(r.result), leading_findings(r.result))
    for p in fillings(r.consultation, f"{example}-{focus}", 6):
        a = BUILTIN.assess(p)
        assert (diagnoses(a), leading_findings(a)) == answer


def sparse(data: dict, rng: random.Random, drop: float):
    """The same partnership with about `drop` of its facts left out at every level (names stay)."""
    if isinstance(data, dict):
        return {k: sparse(v, rng, drop) for k, v in data.items() if k == "name" or rng.random() >= drop}
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return [{**sparse(x, rng, drop), "name": x["name"]} for x in data]
    return data


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_a_partnership_with_many_unknowns_reaches_the_answer_of_its_own_file(example):
    """Files with two in five facts left out (the phase too, at times): the session still ends at assess's answer."""
    data = session.load_data(EXAMPLES / f"{example}.yaml")
    r = replay(BUILTIN, sparse(data, random.Random(example), 0.4), "all")
    assert r.same_diagnoses and r.same_leading_findings
    assert r.questions <= 40


@pytest.mark.parametrize("example", ["troubled-implementation", "healthy-implementation", "design-health-alliance"])
def test_what_can_still_change_includes_what_the_evaluator_gives_once_the_rest_is_known(example):
    """Mid-session, what each rule can still come to holds the three-valued outcome of every filling-in."""
    data = session.load_data(EXAMPLES / f"{example}.yaml")
    c = interview.Consultation(BUILTIN, {})
    step = 0
    while (prompt := c.next_prompt()) is not None:
        text = typed_answer(prompt.part, data)
        c.close(prompt) if text == "unknown" else c.answer(prompt, text)
        step += 1
        if step % 6:
            continue
        snap = c.snapshot()
        for p in fillings(c, f"{example}-{step}", 2):
            flat = flatten(p if p.phase is not None else p.model_copy(update={"phase": snap.partnership.phase}))
            ledger = BUILTIN.ledgers([flat])[0]
            known = {**flat, **ledger.derived}
            for r in BUILTIN.rulebase.rules:
                got = cond.evaluate(r.condition, known)
                can = snap.stakes.rule(r)
                if r.rule.type in ("derive", "gate"):  # true, false and unknown mean different things
                    assert got in can.values, (example, step, r.id, got, can.values)
                else:  # a finding fires or it does not
                    assert (can.can_fire if got is True else can.can_stay_quiet), (example, step, r.id, got, can.values)


# --- the summaries the analysis treats as settled early -------------------------------------------


def partnership(partners: list[dict]) -> dict:
    return flatten(Partnership.model_validate({"name": "x", "partners": partners}))


PARTNER_VALUES = {
    "sector": ["business", "community", "government"],
    "role_defined": [True, False],
    "management_support": [True, False],
    "capacity_matches_role": [True, False],
    "role_fits_competence": [True, False],
    "obligations_met": [True, False],
    "commitment": ["low", "high"],
    "directly_affected": [True, False],
    "contributions": [[], ["funding"], ["network"]],
    "benefit": ["low", "high"],
    "cost_of_taking_part": ["low", "high"],
    "status": ["active", "leaving"],
}


def partner_lists(rng: random.Random, count: int):
    for _ in range(count):
        yield [
            {"name": f"P{i}", **{f: rng.choice(v) for f, v in PARTNER_VALUES.items() if rng.random() < 0.6},
             "ratings": {d: rng.choice([1, 2.5, 4, 5]) for d in ("trust", "fairness", "role_clarity", "communication")
                         if rng.random() < 0.6}}
            for i in range(rng.randint(1, 4))
        ]


def test_summaries_settled_early_never_change_as_more_partners_answer():
    """A value SETTLED_WHEN names stays as more is said about the partners; FALLING figures only fall,
    RISING figures only rise."""
    rng = random.Random(13)
    for partners in partner_lists(rng, 300):
        before = partnership(partners)
        more = copy.deepcopy(partners)
        for x in more:
            for f, values in PARTNER_VALUES.items():
                x.setdefault(f, rng.choice(values))
            for d in ("trust", "fairness", "role_clarity", "communication"):
                x["ratings"].setdefault(d, rng.choice([1, 2.5, 4, 5]))
        after = partnership(more)
        for name, value in SETTLED_WHEN.items():
            if name.startswith("partners.") and before.get(name) is value:
                assert after.get(name) is value, name
        for name in FALLING:
            if before.get(name) is not None:
                assert after[name] <= before[name], name
        for name in RISING:
            if before.get(name) is not None:
                assert after[name] >= before[name], name


def test_every_name_the_analysis_relies_on_is_in_the_fact_model():
    for name in list(SETTLED_WHEN) + sorted(FALLING | RISING):
        assert name in FACTS and FACTS[name].computed, name
    for screen, (_, prefixes) in SCREENS.items():
        assert field_at(screen) is not None, screen
        for prefix in prefixes:
            assert any(t.startswith(prefix) for t in fields()), prefix


@pytest.mark.parametrize("example", ["early-initiation", "further-development-mature", "design-health-alliance"])
def test_a_partnership_whose_phase_nobody_knows_reaches_the_answer_on_the_assumed_phase(example):
    """Answered 'unknown', the phase is assumed from the facts as assess assumes it; what could change
    the assumption is asked, and the answer is assess's on the same file."""
    data = session.load_data(EXAMPLES / f"{example}.yaml")
    del data["phase"]
    r = replay(BUILTIN, data, "all")
    assert r.expected.phase_status.assumed and r.result.phase == r.expected.phase
    assert r.same_diagnoses and r.same_leading_findings


def test_an_unmet_criterion_that_may_not_apply_asks_what_would_settle_that():
    # Before: a missing secretariat made the criterion for further development unmet, and nothing the
    # interview could still ask was counted as able to change it, though two core partners bound by a
    # written agreement need no secretariat and the criterion would not apply to them.
    c = interview.Consultation(BUILTIN, {"name": "x", "phase": "implementation", "kind": "alliance",
                                         "secretariat": {"exists": False}})
    snap = c.snapshot()
    assert next(x for x in snap.assessment.phase_status.criteria if x.id == "GATE-F03").met is False
    assert "GATE-F03" in {s.rule for s in snap.at_stake}
    asked_for = {name for name, (_, rules) in snap.needed.items() if "GATE-F03" in rules}
    assert {"agreement.exists", "partners[].core_group"} <= asked_for
    # Once the agreement is known to be missing, the criterion applies whatever the core group.
    settled = interview.Consultation(BUILTIN, {"name": "x", "phase": "implementation", "kind": "alliance",
                                               "secretariat": {"exists": False}, "agreement": {"exists": False}})
    assert not any("GATE-F03" in rules for _, (_, rules) in settled.snapshot().needed.items())
