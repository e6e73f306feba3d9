"""The bundled examples: each one's top findings and readiness are what examples/EXPECTED.md records."""

import re

import pytest

from conftest import EXAMPLES
from partnerwise.api import assess_file

READY = {"yes": True, "no": False, "unknown": None}


def _ids(cell: str) -> list[str]:
    return [] if cell.strip() == "none" else [x.strip() for x in cell.split(",")]


def expected_rows():
    rows = {}
    for line in (EXAMPLES / "EXPECTED.md").read_text().splitlines():
        m = re.match(r"^\| ([a-z0-9-]+) \| ([^|]+) \| ([^|]+) \| (yes|no|unknown) \|", line)
        if m:
            rows[m.group(1)] = (_ids(m.group(2)), _ids(m.group(3)), READY[m.group(4)])
    return rows


EXPECTED = expected_rows()


def test_every_example_has_an_expectation():
    assert sorted(EXPECTED) == sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
    assert len(EXPECTED) >= 8
    phases = {assess_file(EXAMPLES / f"{name}.yaml").phase for name in EXPECTED}
    assert phases == {"initiation", "design", "implementation", "further_development"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_answer_findings_and_readiness(name):
    items, top, ready = EXPECTED[name]
    result = assess_file(EXAMPLES / f"{name}.yaml")
    assert [i.rule for i in result.items[: len(items) or 3]] == items
    assert [f.rule for f in result.findings[: len(top) or 3]] == top
    assert result.phase_status.ready_for_next is ready


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_answers_are_short(name):
    result = assess_file(EXAMPLES / f"{name}.yaml")
    serious = [i for i in result.items if i.severity in ("critical", "high")]
    assert len(serious) <= 7, [i.rule for i in serious]
    actions = [a.action for a in result.top_actions]
    assert len(actions) == len(set(actions)) <= 3
