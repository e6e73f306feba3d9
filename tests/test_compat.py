"""Fact files written for the first fact model still load, and every fact they gave means what it meant."""

import json
from pathlib import Path

import pytest

from partnerwise.facts.derive import flatten
from partnerwise.facts.loader import load_partnership

V1 = Path(__file__).parent / "fixtures" / "v1"
BEFORE = json.loads((V1 / "flat-facts.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_first_model_files_keep_their_facts(name):
    now = flatten(load_partnership(V1 / name))
    changed = {k: (v, now.get(k)) for k, v in BEFORE[name].items() if now.get(k) != v}
    assert changed == {}, f"{name}: facts that changed meaning (before, now): {changed}"


def test_every_first_model_file_is_checked():
    assert sorted(BEFORE) == sorted(p.name for p in V1.glob("*.yaml"))
