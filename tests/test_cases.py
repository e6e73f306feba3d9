"""Fictional cases modelled on problems evaluators document: the advice must name those problems.

Each case in tests/cases/ follows a pattern that published evaluations of multi-stakeholder
partnerships describe again and again (tests/cases/README.md). The assertions say what a reader
of the assessment must notice: that the documented problems are among the findings, that the most
serious one is near the top, and that a well-run partnership is not buried in serious warnings.
They do not pin the full order of findings.
"""

from pathlib import Path

import pytest

from partnerwise.api import assess_file

CASES = Path(__file__).resolve().parent / "cases"

# case: (problems that must be found, problems at least one of which must be in the top 3,
#        ready for the next phase: True, False or None for unknown)
DOCUMENTED = {
    "donor-exit-collapse": (
        {"STRAT-20", "STRAT-19", "STEER-05", "STEER-23", "MEL-09"},
        {"STRAT-20", "STEER-23"},
        False,
    ),
    "corporate-led-instrumentalised": (
        {"STEER-06", "COOP-03", "COOP-04", "STEER-09", "STEER-13", "STEER-14", "STEER-24", "STEER-32"},
        {"STEER-06"},
        False,
    ),
    "parallel-to-government": (
        {"CTX-06", "CTX-05", "COOP-11", "CTX-03", "CTX-07"},
        {"CTX-06"},
        None,
    ),
    "global-secretariat-weak-local-ownership": (
        {"CTX-10", "COOP-12", "CTX-11", "STRAT-19", "STEER-13"},
        {"CTX-10", "COOP-12", "STRAT-19"},
        False,
    ),
    "transparency-tolerated": (
        {"STRAT-08", "STRAT-07", "PHASE-07", "STEER-13", "STEER-14", "STEER-32", "STEER-09", "COOP-04"},
        {"COOP-04", "STEER-14", "STEER-13"},
        False,
    ),
    "scaled-too-early": (
        {"MEL-03", "MEL-06", "PROC-10", "STRAT-15", "STRAT-14"},
        {"MEL-03"},
        False,
    ),
    "champion-dependent": (
        {"STEER-12", "STEER-08", "STRAT-05", "STRAT-07"},
        {"STRAT-05", "STEER-12", "STEER-08"},
        False,
    ),
}

WELL_RUN = "well-run-handover"


def test_every_case_is_checked():
    assert sorted(p.stem for p in CASES.glob("*.yaml")) == sorted([*DOCUMENTED, WELL_RUN])


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_documented_problems_are_found(name):
    must_find, top3, ready = DOCUMENTED[name]
    result = assess_file(CASES / f"{name}.yaml")
    found = {f.rule for f in result.findings}
    assert must_find <= found, f"missing: {sorted(must_find - found)}"
    assert top3 & {f.rule for f in result.findings[:3]}, [f.rule for f in result.findings[:3]]
    assert result.phase_status.ready_for_next is ready


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_troubled_cases_start_with_a_serious_finding(name):
    result = assess_file(CASES / f"{name}.yaml")
    assert result.findings[0].severity in ("critical", "high")


def test_donor_dependence_is_not_praised_as_blended_money():
    result = assess_file(CASES / "donor-exit-collapse.yaml")
    assert "STEER-31" not in {s.rule for s in result.strengths}


def test_well_run_case_has_nothing_serious_and_is_ready():
    result = assess_file(CASES / f"{WELL_RUN}.yaml")
    assert not [f.rule for f in result.findings if f.severity in ("critical", "high")]
    assert result.phase_status.ready_for_next is True
    strengths = {s.rule for s in result.strengths}
    assert {"STRAT-23", "STEER-28", "MEL-12"} <= strengths
