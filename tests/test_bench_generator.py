"""The benchmark's portfolio generator: seeded, valid, and shaped like a real registry."""

import importlib.util
from collections import Counter

from conftest import ROOT
from partnerwise.facts.derive import flatten
from partnerwise.facts.loader import validate_partnership


def _generate():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate


def test_same_seed_same_portfolio_and_every_record_valid():
    generate = _generate()
    first = list(generate(400, seed=5))
    assert first == list(generate(400, seed=5))
    assert first != list(generate(400, seed=6))
    assert len({p["id"] for p in first}) == 400
    for p in first:
        validate_partnership(p, p["id"])


def test_shape_of_a_registry():
    records = [validate_partnership(p, "g") for p in _generate()(1500, seed=2)]
    phases = Counter(p.phase for p in records)
    assert phases["implementation"] > phases["design"] > phases["further_development"] > phases[None] > 0
    known = {phase: [] for phase in ("initiation", "further_development")}
    dominant = gaps = 0
    for p in records:
        flat = flatten(p)
        if p.phase in known:
            known[p.phase].append(len(flat))
        dominant += flat.get("funding.largest_share", 0) >= 50
        gaps += flat.get("ratings.trust_gap", 0) >= 2.5
    # More is known later in a partnership's life than at its start.
    assert sum(known["further_development"]) / len(known["further_development"]) > 2 * (
        sum(known["initiation"]) / len(known["initiation"])
    )
    assert 0.15 < dominant / len(records) < 0.5
    assert 0.03 < gaps / len(records) < 0.3
