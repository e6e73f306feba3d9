"""The command line as a user meets it: exit codes, formats, errors, determinism."""

import json
import subprocess
import sys

import pytest

from conftest import EXAMPLES, ROOT

HEALTHY = EXAMPLES / "healthy-implementation.yaml"
TROUBLED = EXAMPLES / "troubled-implementation.yaml"
EARLY = EXAMPLES / "early-initiation.yaml"


def test_troubled_example_exits_1_and_lists_serious_findings_first(cli):
    result = cli("assess", TROUBLED)
    assert result.exit_code == 1
    doc = json.loads(cli("assess", TROUBLED, "--format", "json").output)
    assert result.output.splitlines()[0] == f"{doc['partnership']['name']} (troubled-implementation)"
    assert doc["findings"][0]["severity"] == "critical"


def test_healthy_example_exits_0(cli):
    result = cli("assess", HEALTHY)
    assert result.exit_code == 0, result.output


def test_json_contract(cli):
    doc = json.loads(cli("assess", TROUBLED, "--format", "json").output)
    assert set(doc) >= {"partnership", "findings", "strengths", "phase", "gaps"}
    assert set(doc["partnership"]) >= {"id", "name", "phase"}
    for f in doc["findings"]:
        assert set(f) >= {"rule", "title", "severity", "priority", "area", "message", "actions", "evidence", "sources"}
        assert f["actions"] and f["sources"] and f["evidence"]
    assert set(doc["phase"]) >= {"declared", "next", "ready_for_next", "criteria", "next_actions"}
    for g in doc["gaps"]:
        assert set(g) >= {"fact", "question"}
    severities = ["critical", "high", "medium", "low"]
    items = doc["what_is_wrong"]["items"]
    order = [(severities.index(i["severity"]), -i["priority"], i["kind"] != "diagnosis", i["rule"]) for i in items]
    assert order == sorted(order)
    # The findings follow the items: first the leading finding of each item, so the first findings
    # are different problems; within an item, the most urgent first.
    leads = [i["findings"][0] for i in items if i["findings"]]
    assert [f["rule"] for f in doc["findings"][: len(leads)]] == leads
    by_rule = {f["rule"]: f for f in doc["findings"]}
    for i in items:
        ranks = [(severities.index(by_rule[r]["severity"]), -by_rule[r]["priority"], r) for r in i["findings"]]
        assert ranks == sorted(ranks)


def test_several_files_give_a_json_list_in_the_order_given(cli):
    doc = json.loads(cli("assess", EARLY, TROUBLED, "--format", "json", "--fail-on", "none").output)
    assert [d["partnership"]["id"] for d in doc] == ["early-initiation", "troubled-implementation"]


def test_output_is_identical_across_runs(cli):
    runs = {cli("assess", *sorted(EXAMPLES.glob("*.yaml")), "--format", fmt).output for fmt in ("json",) for _ in range(2)}
    assert len(runs) == 1


def test_early_example_asks_questions(cli):
    doc = json.loads(cli("assess", EARLY, "--format", "json").output)
    assert len(doc["gaps"]) >= 5
    assert all(g["question"].endswith("?") for g in doc["gaps"])


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("name: X\nsecreteriat: {exists: true}\n", "did you mean 'secretariat'?"),
        ("name: X\nsecretariat: {exists: 12.5}\n", "secretariat.exists: found 12.5, expected true or false"),
        ("name: [X\n", "not valid YAML"),
    ],
)
def test_bad_fact_file_exits_2_with_one_line(cli, tmp_path, text, fragment):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    result = cli("assess", path)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and fragment in lines[0]
    assert "Traceback" not in result.stderr


def test_a_bad_file_does_not_stop_the_others(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: X\nphase: later\n")
    result = cli("assess", bad, HEALTHY, "--format", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)[0]["partnership"]["id"] == "healthy-implementation"
    assert "phase: found 'later'" in result.stderr


def test_fail_on_threshold(cli):
    medium = EXAMPLES / "design-health-alliance.yaml"
    assert {f["severity"] for f in json.loads(cli("assess", medium, "--format", "json").output)["findings"]} == {"medium"}
    assert cli("assess", TROUBLED, "--fail-on", "none").exit_code == 0
    assert cli("assess", TROUBLED, "--fail-on", "critical").exit_code == 1
    assert cli("assess", TROUBLED, "--fail-on", "low").exit_code == 1
    assert cli("assess", medium, "--fail-on", "high").exit_code == 0
    assert cli("assess", medium, "--fail-on", "medium").exit_code == 1
    assert cli("assess", HEALTHY, "--fail-on", "low").exit_code == 0


def test_several_problems_in_a_file_give_one_line_each_and_exit_2(cli, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: X\nid: a b\nstarted: 2023-13\nphase: later\n")
    result = cli("assess", path)
    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert [line.split(": ")[3] for line in lines] == ["line 2", "line 3", "line 4"]
    assert all(line.startswith(f"partnerwise: error: {path}: line ") for line in lines)


def test_assess_on_a_folder_says_to_audit_it(cli, tmp_path):
    result = cli("assess", tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (f"partnerwise: error: {tmp_path}: is a folder; expected a fact file (.yaml, .yml or .json); "
                             f"to assess every file in it, use 'partnerwise audit {tmp_path}'\n")


def test_markdown_and_output_file(cli, tmp_path):
    out = tmp_path / "report.md"
    result = cli("assess", TROUBLED, "--format", "markdown", "--output", out)
    assert result.exit_code == 1 and result.stdout == ""
    text = out.read_text()
    assert text.startswith("# ") and "## Findings" in text and "## Open questions" in text


def test_terminal_output_fits_80_columns(cli):
    for path in sorted(EXAMPLES.glob("*.yaml")):
        out = cli("assess", path).output
        assert max(len(line) for line in out.splitlines()) <= 80, path.name


def test_control_characters_from_facts_never_reach_the_terminal(cli, tmp_path):
    path = tmp_path / "ansi.json"
    path.write_text(json.dumps({"name": "Evil \u001b[31mred\u001b[0m", "phase": "design"}))
    out = cli("assess", path).output
    assert "\u001b" not in out and "\\x1b[31mred" in out


def test_schema_is_json_schema_of_the_fact_file(cli):
    doc = json.loads(cli("schema").output)
    assert doc["type"] == "object" and "secretariat" in doc["properties"]
    assert doc["additionalProperties"] is False


def test_help_for_every_command(cli):
    for args in (["--help"], ["assess", "--help"], ["schema", "--help"], ["rules", "--help"], ["rules", "lint", "--help"]):
        result = cli(*args)
        assert result.exit_code == 0 and "Usage:" in result.output


def test_real_subprocess_run():
    proc = subprocess.run(
        [sys.executable, "-m", "partnerwise.cli", "assess", str(TROUBLED), "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["partnership"]["id"] == "troubled-implementation"
    proc = subprocess.run(
        [sys.executable, "-m", "partnerwise.cli", "assess", "no-such-file.yaml"], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == "partnerwise: error: no-such-file.yaml: no such file"


def test_tiny_and_round_numbers_in_exponent_form_are_assessed_like_any_other(tmp_path):
    # YAML and JSON allow 1.0e-6; the engine's own reader aborted the process on such values.
    findings = []
    for share in ("0.0", "1.0e-6", "5.0e-324"):
        path = tmp_path / f"share-{share}.yaml"
        path.write_text(f"name: Tiny numbers\nphase: implementation\nviability:\n  public_budget_share: {share}\n"
                        f"funders:\n  - name: A\n    share: {share}\n  - name: B\n    share: 60\n")
        proc = subprocess.run([sys.executable, "-m", "partnerwise.cli", "assess", str(path), "--format", "json"],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert proc.returncode in (0, 1), proc.stderr[-500:]
        findings.append([f["rule"] for f in json.loads(proc.stdout)["findings"]])
    assert findings[0] and findings[1] == findings[0] and findings[2] == findings[0]


def test_output_file_gets_ordinary_permissions(cli, tmp_path):
    import os
    import stat

    out = tmp_path / "report.json"
    cli("assess", HEALTHY, "--format", "json", "--output", out)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
    out.chmod(0o640)
    cli("assess", HEALTHY, "--format", "json", "--output", out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
