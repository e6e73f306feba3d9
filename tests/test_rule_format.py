"""The rule format's newer parts, as an advisor writing their own rules meets them: unless, severity_if,
diagnoses. Each mistake is one line from `rules lint` naming the file, the rule and the field."""

from __future__ import annotations

import yaml

from partnerwise import api

BASE = {
    "name": "own-rule",
    "type": "finding",
    "title": "An own rule",
    "area": "steering",
    "kind": "barrier",
    "severity": "medium",
    "phases": ["implementation"],
    "when": "secretariat.exists == false",
    "message": "{name} has no secretariat.",
    "rationale": "A rule written for these tests.",
    "actions": ["Set up a secretariat."],
    "sources": ["P2030-STEER-1"],
    "examples": {"fire": [{"secretariat": {"exists": False}}], "quiet": [{}]},
}


def write(folder, **rules):
    for rid, fields in rules.items():
        (folder / f"{rid}.yaml").write_text(yaml.safe_dump({**BASE, "id": rid, **fields}, sort_keys=False))
    return folder


def test_unless_and_severity_if_work_in_own_rules(tmp_path):
    folder = write(tmp_path, **{"ORG-01": {
        "unless": "kind == 'bilateral'",
        "severity_if": [{"when": "kind == 'alliance'", "severity": "high"}],
        "examples": {"fire": [{"secretariat": {"exists": False}}, {"kind": "alliance", "secretariat": {"exists": False}}],
                     "quiet": [{}, {"kind": "bilateral", "secretariat": {"exists": False}}]},
    }})
    assert api.lint(folder) == []
    rb = api.load_rulebase(rules=[folder])

    def finding(**facts):
        result = api.assess({"name": "X", "phase": "implementation", "secretariat": {"exists": False}, **facts}, rb)
        return next((f for f in result.findings if f.rule == "ORG-01"), None)

    assert finding().severity == "medium"  # kind unknown: the exemption is not assumed
    assert finding(kind="alliance").severity == "high"
    assert finding(kind="bilateral") is None


def test_a_diagnosis_gathers_the_findings_it_explains(tmp_path):
    folder = write(tmp_path, **{
        "ORG-01": {},
        "ORG-02": {"when": "trust.level == 'low'", "phases": None,
                   "examples": {"fire": [{"trust": {"level": "low"}}], "quiet": [{}]}},
        "ORG-03": {"type": "diagnosis", "area": "diagnoses", "when": "ORG_01 and ORG_02", "gathers": ["ORG-01", "ORG-02"],
                   "phases": None, "examples": {"fire": [{"secretariat": {"exists": False}, "trust": {"level": "low"}}],
                                                "quiet": [{}, {"secretariat": {"exists": False}}]}},
    })
    assert api.lint(folder) == []
    rb = api.load_rulebase(rules=[folder])
    result = api.assess({"name": "X", "phase": "implementation", "secretariat": {"exists": False},
                         "trust": {"level": "low"}}, rb)
    (diagnosis,) = [d for d in result.diagnoses if d.rule == "ORG-03"]
    assert sorted(diagnosis.findings) == ["ORG-01", "ORG-02"]
    item = next(i for i in result.items if i.rule == "ORG-03")
    assert item.kind == "diagnosis" and item.findings == diagnosis.findings


def lint_line(tmp_path, **fields):
    problems = api.lint(write(tmp_path, **{"ORG-09": fields}))
    assert len(problems) == 1, problems
    assert problems[0].startswith(str(tmp_path / "ORG-09.yaml") + ": rule ORG-09: "), problems[0]
    return problems[0]


def test_unless_may_not_read_a_derived_fact(tmp_path):
    line = lint_line(tmp_path, unless="funder_dominance")
    assert "field 'unless'" in line and "name input facts" in line


def test_derive_rules_do_not_take_unless(tmp_path):
    # A derived fact must mean the same wherever it is read; a gate's unless says where it does not apply.
    line = lint_line(tmp_path, type="derive", derives="own_fact", unless="kind == 'bilateral'", severity=None,
                     message=None, actions=[])
    assert "field 'unless': is only for finding, strength, diagnosis and gate rules" in line


def test_severity_if_needs_a_severity_of_the_scale(tmp_path):
    line = lint_line(tmp_path, severity_if=[{"when": "kind == 'alliance'", "severity": "urgent"}])
    assert "severity_if" in line


def test_a_diagnosis_needs_gathers_and_reads_findings_only_as_fired(tmp_path):
    missing = lint_line(tmp_path, type="diagnosis", area="diagnoses", when="STEER_08")
    assert "field 'gathers': is missing" in missing
    negated = lint_line(tmp_path, type="diagnosis", area="diagnoses", when="not STEER_08", gathers=["STEER-08"])
    assert "a finding can only be read as having fired" in negated


def test_only_diagnoses_read_findings(tmp_path):
    line = lint_line(tmp_path, when="STEER_08 and secretariat.exists == false")
    assert "only diagnosis rules may read findings" in line


def test_a_message_may_only_insert_facts_that_exist(tmp_path):
    # Before: a misspelt placeholder loaded and printed "unknown" in every report that raised the finding.
    line = lint_line(tmp_path, message="These partners lack capacity: {partners.overstreched}.")
    assert "field 'message': {partners.overstreched} names no fact; did you mean 'partners.overstretched'?" in line


def test_a_finding_reference_must_name_a_finding(tmp_path):
    line = lint_line(tmp_path, type="diagnosis", area="diagnoses", when="STEER_99", gathers=["STEER-08"])
    assert "'STEER_99' names no finding rule" in line


def test_a_rule_error_carries_the_file_the_rule_the_field_and_the_reason(tmp_path):
    import pickle

    import pytest

    from partnerwise.engine.rulebase import RuleError

    write(tmp_path, **{"OWN-01": {"when": "secretariat.exist == false"}})
    with pytest.raises(RuleError) as caught:
        api.load_rulebase([tmp_path])
    e = caught.value
    assert (e.source, e.rule, e.field) == (str(tmp_path / "OWN-01.yaml"), "OWN-01", "when")
    assert e.reason.startswith("unknown fact name 'secretariat.exist'; did you mean 'secretariat.exists'?")
    assert str(e) == f"{tmp_path / 'OWN-01.yaml'}: rule OWN-01: field 'when': {e.reason}"
    # An audit run in several processes hands the error back whole.
    again = pickle.loads(pickle.dumps(e))
    assert (str(again), again.rule, again.field) == (str(e), "OWN-01", "when")
