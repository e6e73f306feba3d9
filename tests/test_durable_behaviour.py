"""Behaviours of durable-rules that the runner relies on, pinned so an upgrade that changes them is seen.

Each check runs in a child process: the failure we guard against is a crash of the C engine, which
must fail the test rather than end the test run.
"""

import subprocess
import sys
import textwrap

import pytest


def run_child(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300)


def test_sessions_where_no_rule_matches_are_deleted_safely():
    # Without the marker rule, deleting a session in which no action ever ran frees uninitialised
    # pointers (durable-rules 2.0.28) and the process aborts after a few sessions.
    proc = run_child(
        """
        import random
        from partnerwise.api import default_assessor
        from partnerwise.facts.derive import FACTS
        engine = default_assessor().engine
        random.seed(7)
        names = [n for n, s in FACTS.items() if s.type == "bool" and not s.computed]
        for i in range(1500):
            flat = {"phase": random.choice(["initiation", "design", "implementation", "further_development"])}
            for n in random.sample(names, random.randint(0, 12)):
                flat[n] = random.random() < 0.5
            ledger = engine.run([flat])[0]
            assert ledger.seen
        print("ok")
        """
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-2000:]


def test_a_large_generated_rule_base_registers_and_runs(tmp_path):
    # More alternatives than the built-in rule base has, sharing first tests as real rules do.
    proc = run_child(
        f"""
        from pathlib import Path
        import yaml
        from partnerwise.api import Assessor
        from partnerwise.engine.rulebase import load_rulebase
        from partnerwise.facts.derive import FACTS
        folder = Path({str(tmp_path)!r})
        bools = [n for n, s in FACTS.items() if s.type == "bool" and not s.computed]
        for i in range(240):
            a, b = bools[i % len(bools)], bools[(i * 7 + 3) % len(bools)]
            rule = {{
                "id": f"G-{{i:03d}}", "name": f"generated-{{i}}", "type": "finding", "title": "Generated rule",
                "area": "steering", "kind": "barrier", "severity": "low",
                "when": f"{{a}} == false and ({{b}} or phase == 'design')",
                "message": "Generated.", "rationale": "A generated rule for a load test.",
                "actions": ["Do nothing."], "sources": ["P2030-STEER-1"],
                "examples": {{"fire": [{{}}], "quiet": [{{}}]}},
            }}
            (folder / f"G-{{i:03d}}.yaml").write_text(yaml.safe_dump(rule))
        rb = load_rulebase([folder], builtin=False)
        a = Assessor(rb)
        assert len(a.engine.targets) >= 480, len(a.engine.targets)
        flat = {{"phase": "design", **{{n: False for n in bools}}}}
        ledger = a.engine.run([flat])[0]
        assert len(ledger.fired) == 240, len(ledger.fired)
        print("ok")
        """
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-2000:]


def test_too_many_rules_sharing_one_pattern_is_a_rule_error_not_a_crash(tmp_path):
    import yaml

    from partnerwise.api import Assessor
    from partnerwise.engine.rulebase import RuleError, load_rulebase

    for i in range(260):
        rule = {
            "id": f"S-{i:03d}", "name": f"shared-{i}", "type": "finding", "title": "Shared pattern",
            "area": "steering", "kind": "barrier", "severity": "low", "when": "phase == 'design'",
            "message": "Shared.", "rationale": "Many rules with one identical condition.",
            "actions": ["Do nothing."], "sources": ["P2030-STEER-1"], "examples": {"fire": [{}], "quiet": [{}]},
        }
        (tmp_path / f"S-{i:03d}.yaml").write_text(yaml.safe_dump(rule))
    rb = load_rulebase([tmp_path], builtin=False)
    with pytest.raises(RuleError, match="the engine allows 250"):
        Assessor(rb)


def test_the_engine_cannot_read_an_exponent_without_a_fraction_so_the_runner_never_writes_one():
    # durable-rules 2.0.28 reads "1e-06" as the integer 1 and then aborts the process (free(): invalid
    # pointer); "1.0e-06" it reads right. Python and orjson write small and large floats the first way.
    code = """
        import orjson
        from partnerwise.api import default_assessor
        from partnerwise.engine import runner
        assert runner._dumps({"x": 1e-06, "y": [2e+20], "z": "1e5"}) == '{"x":1.0e-06,"y":[2.0e+20],"z":"1e5"}'
        if BARE:
            runner._dumps = lambda obj: orjson.dumps(obj).decode()
        engine = default_assessor().engine
        ledger = engine.run([{"phase": "implementation", "viability.public_budget_share": 1e-06}])[0]
        assert ledger.seen
        print("ok")
        """
    fixed, bare = (run_child("BARE = %s\n" % b + textwrap.dedent(code)) for b in (False, True))
    assert fixed.returncode == 0 and fixed.stdout.strip() == "ok", fixed.stderr[-2000:]
    assert bare.returncode != 0 and "ok" not in bare.stdout, "durable-rules now reads a bare exponent; the runner's rewrite may go"
