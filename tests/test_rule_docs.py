"""The rule base's documentation and catalogue commands: generated parts current, contracts kept."""

import json

from partnerwise.tools.factnames import README, refreshed


def test_fact_names_in_rules_readme_are_current():
    text = README.read_text(encoding="utf-8")
    assert refreshed(text) == text, "run: python -m partnerwise.tools.factnames"


def test_coverage_is_complete_and_keeps_its_contract(cli):
    result = cli("rules", "coverage", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert set(doc) == {"items", "priority_only", "uncovered"}
    assert len(doc["items"]) == 69 and doc["uncovered"] == []
    assert all(doc["items"][i] or i in doc["priority_only"] for i in doc["items"])


def test_rules_list_json_contract(cli):
    doc = json.loads(cli("rules", "list", "--format", "json").output)
    assert len(doc) >= 20
    for row in doc:
        assert set(row) >= {"id", "title", "severity", "area", "phases", "sources", "reads", "derives"}
    ids = [row["id"] for row in doc]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert any(row["derives"] for row in doc)


def test_rules_show_reads_as_documentation(cli):
    out = cli("rules", "show", "steer-05").output
    for part in ("STEER-05", "When:", "Why it matters:", "Actions:", "Sources:", "must fire", "must quiet"):
        assert part in out
    missing = cli("rules", "show", "STEER-5")
    assert missing.exit_code == 2 and "did you mean" in missing.stderr


def test_rules_show_says_what_silences_a_rule_what_changes_its_severity_and_what_it_gathers(cli):
    out = cli("rules", "show", "STEER-08").output
    assert "Unless (stays quiet only when this is known to be true):\n  kind in ['bilateral', 'contractual_ppp']" in out
    assert "Severity instead (the first that holds):\n  low      when government.leads\n" in out
    diagnosis = cli("rules", "show", "DIAG-02").output
    assert "type: diagnosis" in diagnosis and "severity: high" in diagnosis
    assert "Gathers (the findings it explains):\n  STEER-05, STEER-06," in diagnosis


def test_builtin_rules_lint_clean(cli):
    result = cli("rules", "lint")
    assert result.exit_code == 0, result.output


def test_lint_finds_each_problem_in_a_broken_folder(cli):
    from conftest import FIXTURES

    result = cli("rules", "lint", FIXTURES / "broken_rules")
    assert result.exit_code == 1
    out = result.stdout
    for fragment in (
        "rule X-01: field 'when': unknown fact name 'secretariat.exist'; did you mean 'secretariat.exists'?",
        "rule X-02: field 'sources': unknown source ID 'PAA-REQ-99'",
        "rule X-03: field 'when': the condition can never be true",
        "rule X-04: field 'when': 'phase == 'implementing'' can never be true",
        "rule X-05: duplicate id",
        "rule X-06: field 'when': found \"__import__('os').system('touch pwned')\"",
        "rule X-07: field 'when': 'funding.largest_share > 120' can never be true",
        "rule X-08: field 'when': 'secretariat.exists' is true or false",
        "rule X-09: field 'sevrity': unknown field; did you mean 'severity'?",
        "syntax.yaml: line 3: not valid YAML",
        "rule X-11: derives 'lonely_fact', which no rule reads",
        "derived facts depend on each other in a cycle",
    ):
        assert fragment in out, fragment
    for line in out.strip().splitlines():
        assert line.startswith(str(FIXTURES / "broken_rules")), line
    result = cli("rules", "lint", FIXTURES / "broken_examples")
    assert result.exit_code == 1
    assert "example fire #1: expected the rule to fire" in result.output
    assert "example quiet #1: expected the rule to stay quiet" in result.output
    assert "unknown key 'exsts'" in result.output


def test_assess_refuses_a_broken_rule_folder_before_any_partnership(cli):
    from conftest import EXAMPLES, FIXTURES

    result = cli("assess", EXAMPLES / "healthy-implementation.yaml", "--rules", FIXTURES / "broken_rules")
    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1


def _troubled(cli, *args):
    from conftest import EXAMPLES

    return json.loads(cli("assess", EXAMPLES / "troubled-implementation.yaml", "--format", "json", *args).output)


def test_own_rules_add_to_and_replace_builtin_ones(cli, tmp_path):
    import yaml

    from partnerwise.engine.rulebase import BUILTIN_DIR

    first = _troubled(cli)["findings"][0]["rule"]
    builtin = yaml.safe_load(next(BUILTIN_DIR.rglob(f"{first}.yaml")).read_text())
    builtin["severity"] = "low"
    builtin.pop("severity_if", None)
    builtin["title"] = "Our own wording of this problem"
    (tmp_path / f"{first}.yaml").write_text(yaml.safe_dump(builtin))
    new = dict(builtin, id="ORG-01", name="org-rule", title="Our organisation's own rule", severity="medium")
    (tmp_path / "ORG-01.yaml").write_text(yaml.safe_dump(new))
    doc = _troubled(cli, "--rules", tmp_path)
    by_rule = {f["rule"]: f for f in doc["findings"]}
    assert by_rule[first]["severity"] == "low" and by_rule[first]["title"] == "Our own wording of this problem"
    assert by_rule["ORG-01"]["severity"] == "medium"
    assert doc["findings"][0]["rule"] != first


def test_weights_change_severity_and_priority(cli, tmp_path):
    last = _troubled(cli)["findings"][-1]["rule"]
    weights = tmp_path / "weights.yaml"
    weights.write_text(f"severity:\n  {last}: critical\npriority:\n  {last}: 99\n")
    first = _troubled(cli, "--weights", weights)["findings"][0]
    assert first["rule"] == last and first["severity"] == "critical"
    weights.write_text("severity:\n  STEER-99: critical\n")
    from conftest import EXAMPLES

    result = cli("assess", EXAMPLES / "troubled-implementation.yaml", "--weights", weights)
    assert result.exit_code == 2 and "unknown rule id 'STEER-99'" in result.stderr
