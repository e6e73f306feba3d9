"""How good is the advice: the validation set of real partnerships keeps its figures (validation/README.md).

These are floors: a change of rules that finds fewer of the evaluators' problems among the first
five findings, breaches a guard, alarms a healthy partnership or repeats a problem at the top fails
here. Raise them when the advice gets better.
"""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("validation_score", ROOT / "validation" / "score.py")
score = importlib.util.module_from_spec(spec)
spec.loader.exec_module(score)


@pytest.fixture(scope="module")
def figures():
    return score.score(ROOT / "validation")


def test_every_case_is_scored(figures):
    rows, totals = figures
    assert totals["inputs"] == len(list((ROOT / "validation" / "facts").glob("*.yaml"))) >= 60
    kinds = {r["kind"] for r in rows}
    assert kinds >= {"contractual_ppp", "global_platform", "alliance", "bilateral", "government_programme", "city_regional"}
    assert sum(1 for r in rows if r["verdict"] == "healthy") >= 4


def test_the_evaluators_problems_are_among_the_first_five_findings(figures):
    _, totals = figures
    assert totals["found_top5"] >= 211, totals
    assert totals["found_anywhere"] >= 227, totals
    assert totals["found_top5_strict"] >= 94, totals


def test_no_alarm_for_healthy_partnerships_and_no_new_breach(figures):
    rows, totals = figures
    assert totals["healthy_alarmed"] == 0
    breached = sorted(r["input"] for r in rows if r["breaches"])
    # One known breach (validation/README.md): case 60, a city partnership of separate non-profits
    # with no written agreement gets that finding at medium; the sources ask for one, its evaluators
    # did not count it. Any other breach fails.
    assert breached == ["60"], [(r["input"], r["breaches"]) for r in rows if r["breaches"]]
    assert [b["by"] for b in next(r for r in rows if r["input"] == "60")["breaches"]] == [["PHASE-02:medium"]]


def test_the_first_findings_are_different_problems(figures):
    _, totals = figures
    assert totals["top5_not_distinct"] == 0


def test_files_of_the_first_fact_model_still_get_advice():
    _, totals = score.score(ROOT / "validation", first_model=True)
    assert totals["found_top5"] >= 117 and totals["healthy_alarmed"] == 0, totals
