"""The bundled examples: each one's top findings and readiness are what examples/EXPECTED.md records."""

import re

import pytest

from conftest import EXAMPLES
from partnerwise.api import assess_file

READY = {"yes": True, "no": False, "unknown": None}


def expected_rows():
    rows = {}
    for line in (EXAMPLES / "EXPECTED.md").read_text().splitlines():
        m = re.match(r"^\| ([a-z0-9-]+) \| ([^|]+) \| (yes|no|unknown) \|", line)
        if m:
            top = [] if m.group(2).strip() == "none" else [x.strip() for x in m.group(2).split(",")]
            rows[m.group(1)] = (top, READY[m.group(3)])
    return rows


EXPECTED = expected_rows()


def test_every_example_has_an_expectation():
    assert sorted(EXPECTED) == sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
    assert len(EXPECTED) >= 8
    phases = {assess_file(EXAMPLES / f"{name}.yaml").phase for name in EXPECTED}
    assert phases == {"initiation", "design", "implementation", "further_development"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_top_findings_and_readiness(name):
    top, ready = EXPECTED[name]
    result = assess_file(EXAMPLES / f"{name}.yaml")
    assert [f.rule for f in result.findings[: len(top) or 3]] == top
    assert result.phase_status.ready_for_next is ready
